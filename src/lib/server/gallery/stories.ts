import type { SupabaseClient } from '@supabase/supabase-js';
import { error } from '@sveltejs/kit';
import type { GalleryPhoto, GalleryPiece } from '#lib/components/gallery/types.ts';
import { renderStoryJson } from '#lib/server/richtext/index.ts';
import { galleryPhoto, type PhotoRow } from './media';
import { CARD_SELECT, pickLabel, toPiece, type LanguageMap, type PieceRow } from './queries';

export interface StorySummary {
	slug: string;
	title: string;
	titleLang: string;
	intro: string;
	introLang: string;
	publishedAt: string | null;
	cover: GalleryPhoto | null;
}

export type StoryBlock =
	{ kind: 'text'; html: string; lang: string } | { kind: 'piece'; piece: GalleryPiece };

interface StoryRow {
	slug: string;
	title: LanguageMap;
	intro: LanguageMap;
	published_at: string | null;
	cover: PhotoRow | null;
}

const STORY_SELECT = `slug, title, intro, published_at,
	cover:piece_photos(id, position, role, width, height, placeholder, dominant_color, alt_text, public_variants)`;

function labelLanguage(map: LanguageMap, locale: string): string {
	return map[locale] ? locale : map.de ? 'de' : (Object.keys(map)[0] ?? locale);
}

function summary(row: StoryRow, locale: string): StorySummary {
	return {
		slug: row.slug,
		title: pickLabel(row.title, locale),
		titleLang: labelLanguage(row.title, locale),
		intro: pickLabel(row.intro, locale),
		introLang: labelLanguage(row.intro, locale),
		publishedAt: row.published_at,
		cover: row.cover ? galleryPhoto(row.cover, locale, 'de') : null
	};
}

/** Published stories, newest first (RLS shows anonymous readers only published ones). */
export async function loadStories(
	supabase: SupabaseClient,
	locale: string
): Promise<StorySummary[]> {
	const { data, error: listError } = await supabase
		.from('stories')
		.select(STORY_SELECT)
		.eq('published', true)
		.order('published_at', { ascending: false });
	if (listError) throw new Error(`loading stories: ${listError.message}`, { cause: listError });
	return (data as unknown as StoryRow[]).map((row) => summary(row, locale));
}

/** One published story with its blocks in order: text in the reader's language, and pieces. */
export async function loadStory(
	supabase: SupabaseClient,
	locale: string,
	slug: string
): Promise<{ story: StorySummary; blocks: StoryBlock[] }> {
	const { data, error: storyError } = await supabase
		.from('stories')
		.select(
			`${STORY_SELECT}, items:story_items(position, kind, body, piece:pieces(${CARD_SELECT}))`
		)
		.eq('slug', slug)
		.eq('published', true)
		.order('position', { referencedTable: 'items' })
		.maybeSingle();
	if (storyError) throw new Error(`loading a story: ${storyError.message}`, { cause: storyError });
	const row = data as unknown as
		| (StoryRow & {
				items: {
					position: number;
					kind: 'text' | 'piece';
					body: Record<string, unknown> | null;
					piece: PieceRow | null;
				}[];
		  })
		| null;
	if (!row) error(404, 'Story not found', { code: 'story_not_found' });
	const blocks: StoryBlock[] = [];
	for (const item of [...row.items].sort((a, b) => a.position - b.position)) {
		if (item.kind === 'text' && item.body) {
			const lang = item.body[locale] ? locale : item.body.de ? 'de' : Object.keys(item.body)[0];
			const html = lang ? renderStoryJson(item.body[lang], { lang }) : null;
			if (html && lang) blocks.push({ kind: 'text', html, lang });
		} else if (item.kind === 'piece' && item.piece) {
			const piece = toPiece(item.piece, locale);
			// Pieces RLS hides (unpublished since) simply drop out of the story.
			if (piece) blocks.push({ kind: 'piece', piece });
		}
	}
	return { story: summary(row, locale), blocks };
}

/** The story's pieces in order, for previous/next on a piece page opened from the story. */
export async function loadStorySequence(
	supabase: SupabaseClient,
	locale: string,
	slug: string
): Promise<{ title: string; pieces: GalleryPiece[] } | null> {
	try {
		const { story, blocks } = await loadStory(supabase, locale, slug);
		return {
			title: story.title,
			pieces: blocks.flatMap((block) => (block.kind === 'piece' ? [block.piece] : []))
		};
	} catch {
		return null;
	}
}
