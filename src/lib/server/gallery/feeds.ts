import type { SupabaseClient } from '@supabase/supabase-js';
import { CARD_SELECT, toPiece, type PieceRow } from './queries';
import type { GalleryPiece } from '#lib/components/gallery/types.ts';

/** Every published piece id with its publication time, paged past PostgREST's max-rows cap. */
export async function listPublishedPieces(
	supabase: SupabaseClient
): Promise<{ id: string; published_at: string; updated_at: string }[]> {
	const rows: { id: string; published_at: string; updated_at: string }[] = [];
	const step = 1000;
	for (let from = 0; ; from += step) {
		const { data, error } = await supabase
			.from('pieces')
			.select('id, published_at, updated_at')
			.eq('status', 'published')
			.order('published_at', { ascending: false })
			.order('id', { ascending: false })
			.range(from, from + step - 1);
		if (error) throw new Error(`listing published pieces: ${error.message}`, { cause: error });
		rows.push(...(data as typeof rows));
		if (data.length < step) return rows;
	}
}

/** Published story slugs for the sitemap. */
export async function listPublishedStories(
	supabase: SupabaseClient
): Promise<{ slug: string; updated_at: string }[]> {
	const { data, error } = await supabase
		.from('stories')
		.select('slug, updated_at')
		.eq('published', true)
		.order('published_at', { ascending: false });
	if (error) throw new Error(`listing stories: ${error.message}`, { cause: error });
	return data as { slug: string; updated_at: string }[];
}

/** The newest published pieces, for the Atom feed. */
export async function latestPieces(
	supabase: SupabaseClient,
	locale: string,
	limit = 30
): Promise<GalleryPiece[]> {
	const { data, error } = await supabase
		.from('pieces')
		.select(CARD_SELECT)
		.eq('status', 'published')
		.order('published_at', { ascending: false })
		.order('id', { ascending: false })
		.order('position', { referencedTable: 'photos' })
		.limit(1, { referencedTable: 'photos' })
		.limit(limit);
	if (error) throw new Error(`loading the feed: ${error.message}`, { cause: error });
	return (data as unknown as PieceRow[]).flatMap((row) => toPiece(row, locale) ?? []);
}

/** Escapes text for XML element content and attribute values. */
export function xml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;');
}
