import type { SupabaseClient } from '@supabase/supabase-js';
import { matchesLocale } from '#lib/components/gallery/text-language.ts';
import { localizeHref } from '#lib/i18n/href.ts';
import { m } from '#lib/paraglide/messages.js';
import { locales, type Locale } from '#lib/paraglide/runtime.js';
import { pickLabel, type LanguageMap } from '../gallery/queries.ts';
import type { ShareKitText } from './render.ts';

/** Codes of `public.share_kit_refusal` (see the share_kit migration). */
export type ShareKitRefusal =
	| 'share_kit_not_staff'
	| 'share_kit_not_found'
	| 'share_kit_not_published'
	| 'share_kit_no_consent';

/** Asks Postgres whether the caller may have the piece's share kit; null when they may. */
export async function shareKitRefusal(
	supabase: SupabaseClient,
	pieceId: string
): Promise<ShareKitRefusal | null> {
	const { data, error } = await supabase.rpc('share_kit_refusal', { p_piece_id: pieceId });
	if (error) throw error;
	return (data as ShareKitRefusal | null) ?? null;
}

interface PieceRow {
	id: string;
	original_language: string;
	attribution_kind: 'display_name' | 'initials' | 'anonymous';
	attribution_text: string | null;
	workshop: { title: LanguageMap } | null;
	texts: { language: string; title: string; caption: string | null }[];
	photos: {
		position: number;
		master_path: string;
		variants: Record<string, Record<string, string>>;
		alt_text: Record<string, string>;
	}[];
}

/** The widest JPEG derivative up to 2048 px: enough for 1080 px wide, cheaper than the master. */
function photoPath(photo: PieceRow['photos'][number]): string {
	const jpg = photo.variants.jpg ?? photo.variants.jpeg ?? {};
	const widths = Object.keys(jpg)
		.map(Number)
		.filter((w) => w <= 2048)
		.sort((a, b) => b - a);
	return widths.length > 0 ? jpg[String(widths[0])] : photo.master_path;
}

/** The UI language for the kit's few label words: the piece's own if it is one, else German. */
function labelLocale(language: string): Locale {
	return locales.find((locale) => matchesLocale(language, locale)) ?? 'de';
}

/** U+2068…U+2069: a name keeps its own direction inside a line of the other direction. */
const isolate = (text: string) => `\u2068${text}\u2069`;

export interface ShareKitSource {
	photo: Buffer;
	text: ShareKitText;
}

/**
 * The photo and words of a piece's share kit, read with the staff member's own client (RLS; the
 * `masters` policy lets staff read photos of submitted and published pieces). Call only after
 * {@link shareKitRefusal} said yes.
 */
export async function loadShareKitSource(
	supabase: SupabaseClient,
	pieceId: string,
	origin: string
): Promise<ShareKitSource | null> {
	const { data, error } = await supabase
		.from('pieces')
		.select(
			`id, original_language, attribution_kind, attribution_text,
			workshop:workshops(title),
			texts:piece_texts(language, title, caption),
			photos:piece_photos(position, master_path, variants, alt_text)`
		)
		.eq('id', pieceId)
		.maybeSingle();
	if (error) throw error;
	const piece = data as unknown as PieceRow | null;
	const photo = piece ? [...piece.photos].sort((a, b) => a.position - b.position)[0] : undefined;
	const text = piece?.texts.find((t) => t.language === piece.original_language) ?? piece?.texts[0];
	if (!piece || !photo || !text) return null;

	const download = await supabase.storage.from('masters').download(photoPath(photo));
	if (download.error) throw download.error;

	const locale = labelLocale(text.language);
	const url = new URL(origin);
	const credit =
		piece.attribution_kind === 'anonymous' || !piece.attribution_text
			? m.share_credit_anonymous({}, { locale })
			: m.share_credit_by({ name: isolate(piece.attribution_text) }, { locale });
	const workshop = piece.workshop ? pickLabel(piece.workshop.title, locale) : '';
	return {
		photo: Buffer.from(await download.data.arrayBuffer()),
		text: {
			language: text.language,
			title: text.title,
			caption: text.caption,
			credit,
			workshop: workshop ? m.share_workshop({ name: isolate(workshop) }, { locale }) : null,
			shortUrl: `${url.host}${localizeHref('/gallery', { locale })}`,
			pieceUrl: `${url.origin}${localizeHref(`/pieces/${piece.id}`, { locale })}`,
			alt: photo.alt_text[text.language] ?? Object.values(photo.alt_text)[0] ?? null,
			labels: {
				alt: m.share_label_alt({}, { locale }),
				link: m.share_label_link({}, { locale })
			}
		}
	};
}
