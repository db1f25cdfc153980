import type { SupabaseClient } from '@supabase/supabase-js';
import { error } from '@sveltejs/kit';
import type { PieceText } from '#lib/components/gallery/types.ts';
import type { TextChanges } from '#lib/components/staff/ChangeList.svelte';
import type { StaffEvent } from '#lib/components/staff/EventList.svelte';
import { renderStoryJson } from '#lib/server/richtext/index.ts';
import { pickLabel, type LanguageMap } from '#lib/server/gallery/queries.ts';

export interface ReviewPhoto {
	id: string;
	role: string;
	width: number;
	height: number;
	alt: { text: string; lang: string } | null;
	/** Every alt text of the photo by language, for corrections. */
	altTexts: Record<string, string>;
	/** A signed URL of a derivative for the page, and of the master for full resolution. */
	preview: string | null;
	full: string | null;
}

/** Events as the history shows them; the review always says whether a text was changed. */
export type ReviewEvent = StaffEvent & { changes: TextChanges | null };

export interface ReviewConsent {
	scopes: string[];
	peopleVisible: boolean;
	peopleAgreed: boolean | null;
	under16: boolean;
	guardianName: string | null;
	grantedAt: string;
	withdrawnAt: string | null;
}

type Variants = Record<string, Record<string, string>>;

/** The widest JPEG derivative up to 1440 px (what the public page would show large). */
function previewPath(variants: Variants): string | null {
	const jpg = variants.jpg ?? variants.jpeg ?? Object.values(variants)[0] ?? {};
	const widths = Object.keys(jpg)
		.map(Number)
		.filter((w) => w <= 1440)
		.sort((a, b) => b - a);
	return widths.length > 0 ? jpg[String(widths[0])] : null;
}

/** Names of the given profiles the caller may read (RLS), by id. */
export async function actorNames(
	supabase: SupabaseClient,
	ids: (string | null)[]
): Promise<Map<string, string>> {
	const wanted = [...new Set(ids.filter((id): id is string => !!id))];
	if (wanted.length === 0) return new Map();
	const { data } = await supabase.from('profiles').select('id, display_name').in('id', wanted);
	return new Map((data ?? []).map((p) => [p.id as string, (p.display_name as string) ?? '']));
}

/** Everything the review view shows of one piece, read with the staff member's own client. */
export async function loadReview(supabase: SupabaseClient, id: string, locale: string) {
	const { data: piece, error: pieceError } = await supabase
		.from('pieces')
		.select(
			`id, status, workshop_id, maker_id, original_language, attribution_text, submitted_at,
			workshop:workshops(title),
			texts:piece_texts(language, title, caption, story, provenance),
			photos:piece_photos(id, position, role, width, height, master_path, variants, alt_text)`
		)
		.eq('id', id)
		.maybeSingle();
	if (pieceError) throw pieceError;
	if (!piece) error(404, 'Piece not found', { code: 'piece_not_found' });

	const [consents, events] = await Promise.all([
		supabase
			.from('consents')
			.select(
				'scopes, people_visible, depicted_people_agreed, maker_age_bracket, guardian_name, granted_at, withdrawn_at'
			)
			.eq('piece_id', id)
			.order('granted_at', { ascending: false }),
		supabase
			.from('moderation_events')
			.select(
				'id, action, from_status, to_status, reason_codes, note, note_language, actor_id, created_at, changes'
			)
			.eq('piece_id', id)
			.order('id', { ascending: true })
	]);
	if (consents.error) throw consents.error;
	if (events.error) throw events.error;
	const names = await actorNames(
		supabase,
		events.data.map((e) => e.actor_id)
	);

	type PhotoRow = {
		id: string;
		position: number;
		role: string;
		width: number;
		height: number;
		master_path: string;
		variants: Variants;
		alt_text: Record<string, string>;
	};
	const photoRows = ((piece.photos ?? []) as PhotoRow[]).sort((a, b) => a.position - b.position);
	const paths = photoRows.flatMap((p) => [previewPath(p.variants), p.master_path]);
	const signed = new Map<string, string>();
	const wanted = paths.filter((p): p is string => !!p);
	if (wanted.length > 0) {
		// The staff member's own client: storage RLS lets workshop staff read submitted masters.
		const { data } = await supabase.storage.from('masters').createSignedUrls(wanted, 3600);
		for (const entry of data ?? [])
			if (entry.path && entry.signedUrl) signed.set(entry.path, entry.signedUrl);
	}
	const photos: ReviewPhoto[] = photoRows.map((p) => {
		const altLang =
			p.alt_text[piece.original_language] !== undefined
				? piece.original_language
				: Object.keys(p.alt_text)[0];
		const preview = previewPath(p.variants);
		return {
			id: p.id,
			role: p.role,
			width: p.width,
			height: p.height,
			alt: altLang ? { text: p.alt_text[altLang], lang: altLang } : null,
			altTexts: p.alt_text,
			preview: (preview && signed.get(preview)) ?? signed.get(p.master_path) ?? null,
			full: signed.get(p.master_path) ?? null
		};
	});

	type TextRow = PieceText & { story: unknown };
	const texts = ((piece.texts ?? []) as TextRow[])
		.sort((a, b) =>
			a.language === piece.original_language ? -1 : b.language === piece.original_language ? 1 : 0
		)
		.map(({ story, ...text }) => ({
			...text,
			story,
			storyHtml: story ? renderStoryJson(story, { lang: text.language }) : null
		}));

	const workshop = piece.workshop as unknown as { title: LanguageMap } | null;
	return {
		piece: {
			id: piece.id as string,
			status: piece.status as string,
			workshopId: piece.workshop_id as string,
			workshop: workshop ? pickLabel(workshop.title, locale) : '',
			originalLanguage: piece.original_language as string,
			attribution: piece.attribution_text as string | null,
			texts
		},
		photos,
		consents: consents.data.map((c): ReviewConsent => ({
			scopes: c.scopes,
			peopleVisible: c.people_visible,
			peopleAgreed: c.depicted_people_agreed,
			under16: c.maker_age_bracket === 'under_16',
			guardianName: c.guardian_name,
			grantedAt: c.granted_at,
			withdrawnAt: c.withdrawn_at
		})),
		events: events.data.map((e): ReviewEvent => ({
			id: e.id,
			action: e.action,
			fromStatus: e.from_status,
			toStatus: e.to_status,
			reasonCodes: e.reason_codes,
			note: e.note,
			noteLanguage: e.note_language,
			actorName: (e.actor_id && names.get(e.actor_id)) || null,
			at: e.created_at,
			changes: (e.changes as TextChanges | null) ?? null
		}))
	};
}
