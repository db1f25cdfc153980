import type { SupabaseClient } from '@supabase/supabase-js';
import { error } from '@sveltejs/kit';
import { matchesLocale } from '#lib/components/gallery/text-language.ts';
import { renderStoryJson } from '#lib/server/richtext/index.ts';
import { galleryPhoto, type PhotoRow } from './media';
import type { Facet, GalleryPiece, GalleryView, PieceText } from '#lib/components/gallery/types.ts';

/**
 * Read paths of the public pages. Every query runs with the caller's client (anon for visitors),
 * so Row Level Security decides what exists; nothing here filters for visibility.
 */

export const PAGE_SIZE = 12;
/** search_pieces answers at most this many pieces, ranked. */
const SEARCH_LIMIT = 100;

const TEXT_FIELDS = 'language, title, caption, provenance';
const PHOTO_FIELDS =
	'id, position, role, width, height, placeholder, dominant_color, alt_text, public_variants';
const CARD_SELECT = `id, published_at, original_language, attribution_text,
	workshop:workshops(slug, title), texts:piece_texts(${TEXT_FIELDS}), photos:piece_photos(${PHOTO_FIELDS})`;

type LanguageMap = Record<string, string>;

interface PieceRow {
	id: string;
	published_at: string | null;
	original_language: string;
	attribution_text: string | null;
	workshop: { slug: string; title: LanguageMap } | null;
	texts: (Omit<PieceText, 'storyHtml'> & { story?: unknown })[];
	photos: PhotoRow[];
}

/** A language map's entry for the reader, else German, else any. */
export function pickLabel(map: LanguageMap | null | undefined, locale: string): string {
	if (!map) return '';
	return map[locale] ?? map.de ?? Object.values(map)[0] ?? '';
}

function toPiece(row: PieceRow, locale: string, withStory = false): GalleryPiece | null {
	if (row.texts.length === 0) return null;
	const texts: PieceText[] = row.texts
		.map(({ story, ...text }) => ({
			...text,
			...(withStory
				? { storyHtml: story ? renderStoryJson(story, { lang: text.language }) : null }
				: {})
		}))
		.sort(
			(a, b) =>
				Number(b.language === row.original_language) -
					Number(a.language === row.original_language) || a.language.localeCompare(b.language)
		);
	const shown =
		texts.find((t) => matchesLocale(t.language, locale)) ??
		texts.find((t) => t.language === row.original_language) ??
		texts[0];
	const photos = [...row.photos]
		.sort((a, b) => a.position - b.position)
		.map((photo) => galleryPhoto(photo, locale, row.original_language));
	return {
		id: row.id,
		publishedAt: row.published_at,
		originalLanguage: row.original_language,
		attribution: row.attribution_text,
		workshop: row.workshop
			? { slug: row.workshop.slug, title: pickLabel(row.workshop.title, locale) }
			: null,
		texts,
		shown,
		photos
	};
}

function fail(message: string, cause: { message: string }): never {
	throw new Error(`${message}: ${cause.message}`, { cause });
}

/** Workshops and themes for the filter form, labelled in the reader's language. */
export async function loadFacets(
	supabase: SupabaseClient,
	locale: string
): Promise<{ workshops: (Facet & { id: string })[]; themes: (Facet & { id: string })[] }> {
	const [workshops, themes] = await Promise.all([
		supabase.from('workshops').select('id, slug, title').order('starts_on', { ascending: false }),
		supabase.from('themes').select('id, slug, label').order('slug')
	]);
	if (workshops.error) fail('loading workshops', workshops.error);
	if (themes.error) fail('loading themes', themes.error);
	return {
		workshops: (workshops.data as { id: string; slug: string; title: LanguageMap }[]).map((w) => ({
			id: w.id,
			value: w.slug,
			label: pickLabel(w.title, locale)
		})),
		themes: (themes.data as { id: string; slug: string; label: LanguageMap }[]).map((t) => ({
			id: t.id,
			value: t.slug,
			label: pickLabel(t.label, locale)
		}))
	};
}

type Facets = Awaited<ReturnType<typeof loadFacets>>;

/** How long the language list is reused: it only grows when moderators publish a new language. */
const LANGUAGES_TTL_MS = 60_000;
let languagesCache: { at: number; tags: Promise<string[]> } | null = null;

/**
 * Every language the texts of published pieces are written in, most used first. The list is the
 * same for every caller (the function filters for published pieces itself), so it is shared for
 * a minute instead of being recounted on every gallery request.
 */
export function loadTextLanguages(supabase: SupabaseClient): Promise<string[]> {
	const now = Date.now();
	if (languagesCache && now - languagesCache.at < LANGUAGES_TTL_MS) return languagesCache.tags;
	const tags = (async () => {
		const { data, error: languagesError } = await supabase.rpc('gallery_languages');
		if (languagesError) fail('loading text languages', languagesError);
		return (data as { language: string }[]).map((row) => row.language);
	})();
	languagesCache = { at: now, tags };
	tags.catch(() => {
		if (languagesCache?.tags === tags) languagesCache = null;
	});
	return tags;
}

/** The card query with the view's filters; `null` when a filter names nothing that exists. */
function cardQuery(
	supabase: SupabaseClient,
	view: GalleryView,
	facets: Facets,
	select = CARD_SELECT
) {
	let fields = select;
	const workshopId = view.workshop && facets.workshops.find((w) => w.value === view.workshop)?.id;
	const themeId = view.theme && facets.themes.find((t) => t.value === view.theme)?.id;
	if ((view.workshop && !workshopId) || (view.theme && !themeId)) return null;
	if (themeId) fields += ', theme_filter:piece_themes!inner(theme_id)';
	if (view.lang) fields += ', language_filter:piece_texts!inner(language)';
	let query = supabase
		.from('pieces')
		.select(fields)
		.eq('status', 'published')
		.order('position', { referencedTable: 'photos' });
	if (workshopId) query = query.eq('workshop_id', workshopId);
	if (themeId) query = query.eq('theme_filter.theme_id', themeId);
	if (view.lang) query = query.eq('language_filter.language', view.lang);
	return query;
}

export interface GalleryPageResult {
	pieces: GalleryPiece[];
	/** Query parameters of the next page (keyset cursor or search page), null on the last. */
	next: Record<string, string> | null;
}

/** Encodes a keyset position as one URL parameter. */
export function encodeCursor(publishedAt: string, id: string): string {
	return `${publishedAt}~${id}`;
}

function decodeCursor(value: string | null): { publishedAt: string; id: string } | null {
	const match = /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d))~([0-9a-f-]{36})$/i.exec(value ?? '');
	return match ? { publishedAt: match[1], id: match[2] } : null;
}

/** Piece ids matching a full-text search, best first (Postgres FTS over every language). */
async function searchIds(supabase: SupabaseClient, q: string): Promise<string[]> {
	const { data, error: searchError } = await supabase.rpc('search_pieces', {
		p_query: q,
		p_limit: SEARCH_LIMIT
	});
	if (searchError) fail('searching pieces', searchError);
	return (data as { piece_id: string }[]).map((row) => row.piece_id);
}

/** One page of a gallery view: newest first with keyset paging, or ranked search results. */
export async function loadGalleryPage(
	supabase: SupabaseClient,
	locale: string,
	view: GalleryView,
	facets: Facets,
	position: { before?: string | null; page?: number } = {}
): Promise<GalleryPageResult> {
	if (view.q) {
		const ids = await searchIds(supabase, view.q);
		const query = cardQuery(supabase, view, facets);
		if (!query || ids.length === 0) return { pieces: [], next: null };
		const { data, error: cardError } = await query.in('id', ids);
		if (cardError) fail('loading search results', cardError);
		const rank = new Map(ids.map((id, i) => [id, i]));
		const rows = (data as unknown as PieceRow[]).sort(
			(a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0)
		);
		const page = Math.max(1, position.page ?? 1);
		const slice = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
		return {
			pieces: slice.flatMap((row) => toPiece(row, locale) ?? []),
			next: rows.length > page * PAGE_SIZE ? { page: String(page + 1) } : null
		};
	}

	let query = cardQuery(supabase, view, facets);
	if (!query) return { pieces: [], next: null };
	const cursor = decodeCursor(position.before ?? null);
	if (cursor) {
		query = query.or(
			`published_at.lt.${cursor.publishedAt},and(published_at.eq.${cursor.publishedAt},id.lt.${cursor.id})`
		);
	}
	const { data, error: pageError } = await query
		.order('published_at', { ascending: false })
		.order('id', { ascending: false })
		.limit(1, { referencedTable: 'photos' })
		.limit(PAGE_SIZE + 1);
	if (pageError) fail('loading the gallery', pageError);
	const rows = data as unknown as PieceRow[];
	const more = rows.length > PAGE_SIZE;
	const pieces = rows.slice(0, PAGE_SIZE).flatMap((row) => toPiece(row, locale) ?? []);
	const last = rows[PAGE_SIZE - 1];
	return {
		pieces,
		next: more && last?.published_at ? { before: encodeCursor(last.published_at, last.id) } : null
	};
}

/** One piece with all its photos, texts (stories rendered) and themes; 404 when RLS hides it. */
export async function loadPiece(
	supabase: SupabaseClient,
	locale: string,
	id: string
): Promise<{ piece: GalleryPiece; themes: string[] }> {
	const { data, error: pieceError } = await supabase
		.from('pieces')
		.select(
			`id, published_at, original_language, attribution_text, workshop:workshops(slug, title),
			texts:piece_texts(${TEXT_FIELDS}, story), photos:piece_photos(${PHOTO_FIELDS}),
			themes:piece_themes(theme:themes(label))`
		)
		.eq('id', id)
		.maybeSingle();
	if (pieceError) fail('loading a piece', pieceError);
	const row = data as unknown as
		(PieceRow & { themes: { theme: { label: LanguageMap } | null }[] }) | null;
	const piece = row && toPiece(row, locale, true);
	if (!row || !piece) error(404, 'Piece not found', { code: 'piece_not_found' });
	return {
		piece,
		themes: row.themes.flatMap(({ theme }) => (theme ? [pickLabel(theme.label, locale)] : []))
	};
}

export interface Neighbour {
	id: string;
	title: string;
	lang: string;
}

function neighbour(row: PieceRow | undefined, locale: string): Neighbour | null {
	const piece = row && toPiece(row, locale);
	return piece ? { id: piece.id, title: piece.shown.title, lang: piece.shown.language } : null;
}

/** The pieces before and after `piece` in a gallery view, in the order the view shows them. */
export async function loadNeighbours(
	supabase: SupabaseClient,
	locale: string,
	view: GalleryView,
	facets: Facets,
	piece: { id: string; publishedAt: string | null }
): Promise<{ previous: Neighbour | null; next: Neighbour | null }> {
	const select = `id, published_at, original_language, attribution_text, workshop:workshops(slug, title),
		texts:piece_texts(${TEXT_FIELDS}), photos:piece_photos(id, position)`;
	if (view.q) {
		const ids = await searchIds(supabase, view.q);
		const query = cardQuery(supabase, view, facets, select);
		if (!query) return { previous: null, next: null };
		const { data, error: listError } = await query.in('id', ids);
		if (listError) fail('loading neighbours', listError);
		const rows = data as unknown as PieceRow[];
		const order = ids.filter((id) => rows.some((row) => row.id === id));
		const at = order.indexOf(piece.id);
		const find = (id: string | undefined) => rows.find((row) => row.id === id);
		return at < 0
			? { previous: null, next: null }
			: {
					previous: neighbour(find(order[at - 1]), locale),
					next: neighbour(find(order[at + 1]), locale)
				};
	}
	if (!piece.publishedAt) return { previous: null, next: null };
	const at = piece.publishedAt;
	const newer = cardQuery(supabase, view, facets, select);
	const older = cardQuery(supabase, view, facets, select);
	if (!newer || !older) return { previous: null, next: null };
	const [before, after] = await Promise.all([
		newer
			.or(`published_at.gt.${at},and(published_at.eq.${at},id.gt.${piece.id})`)
			.order('published_at', { ascending: true })
			.order('id', { ascending: true })
			.limit(1),
		older
			.or(`published_at.lt.${at},and(published_at.eq.${at},id.lt.${piece.id})`)
			.order('published_at', { ascending: false })
			.order('id', { ascending: false })
			.limit(1)
	]);
	if (before.error) fail('loading the previous piece', before.error);
	if (after.error) fail('loading the next piece', after.error);
	return {
		previous: neighbour((before.data as unknown as PieceRow[])[0], locale),
		next: neighbour((after.data as unknown as PieceRow[])[0], locale)
	};
}

export { CARD_SELECT, toPiece, type PieceRow, type LanguageMap };
