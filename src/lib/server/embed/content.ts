import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { error, isHttpError } from '@sveltejs/kit';
import * as env from '$app/env/public';
import type { GalleryPiece } from '#lib/components/gallery/types.ts';
import { loadGalleryPage, loadPiece, pickLabel } from '#lib/server/gallery/queries.ts';
import { loadStory, type StoryBlock, type StorySummary } from '#lib/server/gallery/stories.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** How many pieces a workshop's embedded gallery shows; the rest is one link away. */
export const WORKSHOP_EMBED_PIECES = 12;

let anon: SupabaseClient | undefined;

/**
 * The Data API as an anonymous visitor, whoever is asking: an embed shows every visitor the public
 * page (never a signed-in staff member's view of unpublished pieces), and it holds no session, so
 * no cookie can be refreshed or set from inside another site's frame.
 */
export function anonReader(): SupabaseClient {
	if (anon) return anon;
	const url = env.PUBLIC_SUPABASE_URL;
	const key = env.PUBLIC_SUPABASE_PUBLISHABLE_KEY;
	if (!url || !key) {
		throw new Error('PUBLIC_SUPABASE_URL and PUBLIC_SUPABASE_PUBLISHABLE_KEY must be set');
	}
	anon = createClient(url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
	return anon;
}

function gone(code: string): never {
	error(410, 'No longer on show', { code });
}

function notFound(code: string): never {
	error(404, 'Not found', { code });
}

/**
 * Whether something RLS hides from the public was on show once (published, then withdrawn,
 * unpublished or sent back for changes): such an address answers 410 Gone, so the organisation's
 * site and any cache learn it is gone for good, while an address that never showed anything stays
 * 404. Row Level Security rightly shows anonymous readers nothing of either, so this one question
 * is asked with the service role; it returns a yes or no, never the row.
 */
async function wasOnShow(table: 'pieces' | 'stories', column: 'id' | 'slug', key: string) {
	const { data, error: readError } = await supabaseAdmin()
		.from(table)
		.select('published_at')
		.eq(column, key)
		.maybeSingle();
	if (readError) throw new Error(`checking a withdrawn ${table}: ${readError.message}`);
	return Boolean(data?.published_at);
}

/** A published piece for its embed; 410 when it was withdrawn or unpublished, else 404. */
export async function embedPiece(
	locale: string,
	id: string
): Promise<{ piece: GalleryPiece; themes: string[] }> {
	if (!UUID.test(id)) notFound('piece_not_found');
	try {
		return await loadPiece(anonReader(), locale, id);
	} catch (caught) {
		if (isHttpError(caught, 404) && (await wasOnShow('pieces', 'id', id))) gone('piece_gone');
		throw caught;
	}
}

/** A published story by slug or id; 410 when it was unpublished, else 404. */
export async function embedStory(
	locale: string,
	key: string
): Promise<{ story: StorySummary; blocks: StoryBlock[] }> {
	const column = UUID.test(key) ? 'id' : 'slug';
	if (column === 'slug' && !SLUG.test(key)) notFound('story_not_found');
	let slug = key;
	if (column === 'id') {
		const { data, error: readError } = await anonReader()
			.from('stories')
			.select('slug')
			.eq('id', key)
			.maybeSingle();
		if (readError) throw new Error(`loading a story: ${readError.message}`);
		if (!data) {
			if (await wasOnShow('stories', 'id', key)) gone('story_gone');
			notFound('story_not_found');
		}
		slug = data.slug as string;
	}
	try {
		return await loadStory(anonReader(), locale, slug);
	} catch (caught) {
		if (isHttpError(caught, 404) && (await wasOnShow('stories', column, key))) gone('story_gone');
		throw caught;
	}
}

export interface EmbedWorkshop {
	id: string;
	slug: string;
	title: string;
	titleLang: string;
	pieces: GalleryPiece[];
	more: boolean;
}

/** A workshop (by id or slug) with its newest published pieces. */
export async function embedWorkshop(locale: string, key: string): Promise<EmbedWorkshop> {
	const column = UUID.test(key) ? 'id' : 'slug';
	if (column === 'slug' && !SLUG.test(key)) notFound('workshop_not_found');
	const { data, error: readError } = await anonReader()
		.from('workshops')
		.select('id, slug, title')
		.eq(column, key)
		.maybeSingle();
	if (readError) throw new Error(`loading a workshop: ${readError.message}`);
	if (!data) notFound('workshop_not_found');
	const workshop = data as { id: string; slug: string; title: Record<string, string> };
	const title = pickLabel(workshop.title, locale);
	const facets = {
		workshops: [{ id: workshop.id, value: workshop.slug, label: title }],
		themes: []
	};
	const page = await loadGalleryPage(anonReader(), locale, { workshop: workshop.slug }, facets);
	return {
		id: workshop.id,
		slug: workshop.slug,
		title,
		titleLang: workshop.title[locale]
			? locale
			: workshop.title.de
				? 'de'
				: (Object.keys(workshop.title)[0] ?? locale),
		pieces: page.pieces.slice(0, WORKSHOP_EMBED_PIECES),
		more: page.next !== null
	};
}
