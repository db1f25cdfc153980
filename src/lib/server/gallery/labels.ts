import type { SupabaseClient } from '@supabase/supabase-js';
import QRCode from 'qrcode';
import { matchesLocale } from '#lib/components/gallery/text-language.ts';
import type { ExhibitionLabel, GalleryPiece } from '#lib/components/gallery/types.ts';
import { pickLabel, toPiece, type LanguageMap, type PieceRow } from './queries';
import { loadStory } from './stories';

/** Languages one label can hold legibly, even on A7. */
export const MAX_LABEL_LANGUAGES = 3;
/** A workshop with more pieces than this is printed in several rounds. */
const MAX_LABELS = 200;

export type LabelSource = { kind: 'workshop'; id: string } | { kind: 'story'; slug: string };

type Label = ExhibitionLabel;

const LABEL_SELECT = `id, published_at, original_language, attribution_text,
	workshop:workshops(slug, title), texts:piece_texts(language, title, caption, provenance)`;

/** The published pieces of a workshop (newest first) or a published story (story order). */
export async function loadSourcePieces(
	supabase: SupabaseClient,
	locale: string,
	source: LabelSource
): Promise<GalleryPiece[]> {
	if (source.kind === 'story') {
		const { blocks } = await loadStory(supabase, locale, source.slug);
		return blocks.flatMap((block) => (block.kind === 'piece' ? [block.piece] : []));
	}
	const { data, error } = await supabase
		.from('pieces')
		.select(LABEL_SELECT)
		.eq('status', 'published')
		.eq('workshop_id', source.id)
		.order('published_at', { ascending: false })
		.order('id', { ascending: false })
		.limit(MAX_LABELS);
	if (error) throw new Error(`loading a workshop's pieces: ${error.message}`, { cause: error });
	return (data as unknown as PieceRow[]).flatMap(
		(row) => toPiece({ ...row, photos: [] }, locale) ?? []
	);
}

/** The texts a label prints: each chosen language the piece has, else its original. */
export function labelTexts(piece: GalleryPiece, languages: string[]): Label['texts'] {
	const chosen = languages.flatMap(
		(language) =>
			piece.texts.find((t) => t.language === language) ??
			piece.texts.find((t) => matchesLocale(t.language, language)) ??
			[]
	);
	const unique = chosen.filter((t, i) => chosen.findIndex((u) => u.language === t.language) === i);
	const texts = unique.length > 0 ? unique : [piece.shown];
	return texts.map(({ language, title, caption }) => ({ language, title, caption }));
}

/**
 * Labels for `pieces`: texts in `languages`, the maker's attribution, the workshop, and a QR code
 * to the piece page at `pieceUrl(id)` (absolute, in the label's first UI language).
 */
export async function buildLabels(
	pieces: GalleryPiece[],
	languages: string[],
	pieceUrl: (id: string) => string
): Promise<Label[]> {
	return Promise.all(
		pieces.map(async (piece) => ({
			id: piece.id,
			texts: labelTexts(piece, languages),
			attribution: piece.attribution,
			workshop: piece.workshop?.title ?? null,
			qrSvg: await QRCode.toString(pieceUrl(piece.id), {
				type: 'svg',
				margin: 0,
				errorCorrectionLevel: 'M'
			})
		}))
	);
}

/** Published stories for the source picker, titled in the reader's language. */
export async function loadStoryChoices(
	supabase: SupabaseClient,
	locale: string
): Promise<{ value: string; label: string }[]> {
	const { data, error } = await supabase
		.from('stories')
		.select('slug, title')
		.eq('published', true)
		.order('published_at', { ascending: false });
	if (error) throw new Error(`listing stories: ${error.message}`, { cause: error });
	return (data as { slug: string; title: LanguageMap }[]).map((story) => ({
		value: story.slug,
		label: pickLabel(story.title, locale)
	}));
}
