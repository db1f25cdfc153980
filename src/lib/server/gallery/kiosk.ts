import type { SupabaseClient } from '@supabase/supabase-js';
import { error } from '@sveltejs/kit';
import type { GalleryPiece, KioskShow } from '#lib/components/gallery/types.ts';
import { CARD_SELECT, loadFacets, toPiece, type PieceRow } from './queries';
import { loadStory } from './stories';

/** A kiosk cycles through one room's worth of pieces; more would only delay going offline-safe. */
const MAX_SLIDES = 100;

function slides(pieces: GalleryPiece[]): KioskShow['slides'] {
	return pieces.flatMap((piece) => {
		const photo = piece.photos[0];
		if (!photo?.largest) return [];
		return [
			{
				id: piece.id,
				image: {
					src: photo.largest,
					width: photo.width,
					height: photo.height,
					color: photo.dominantColor,
					alt: photo.alt
				},
				texts: piece.texts.map(({ language, title, caption }) => ({ language, title, caption })),
				originalLanguage: piece.originalLanguage,
				attribution: piece.attribution,
				workshop: piece.workshop?.title ?? null
			}
		];
	});
}

/** The published pieces of a workshop, newest first, each with its cover photo. */
export async function loadWorkshopShow(
	supabase: SupabaseClient,
	locale: string,
	slug: string
): Promise<KioskShow> {
	const facets = await loadFacets(supabase, locale);
	const workshop = facets.workshops.find((w) => w.value === slug);
	if (!workshop) error(404, 'Workshop not found', { code: 'workshop_not_found' });
	const { data, error: listError } = await supabase
		.from('pieces')
		.select(CARD_SELECT)
		.eq('status', 'published')
		.eq('workshop_id', workshop.id)
		.order('published_at', { ascending: false })
		.order('id', { ascending: false })
		.order('position', { referencedTable: 'photos' })
		.limit(1, { referencedTable: 'photos' })
		.limit(MAX_SLIDES);
	if (listError)
		throw new Error(`loading a workshop's pieces: ${listError.message}`, { cause: listError });
	const pieces = (data as unknown as PieceRow[]).flatMap((row) => toPiece(row, locale) ?? []);
	return { title: workshop.label, slides: slides(pieces) };
}

/** The pieces of a published story, in its order. */
export async function loadStoryShow(
	supabase: SupabaseClient,
	locale: string,
	slug: string
): Promise<KioskShow> {
	const { story, blocks } = await loadStory(supabase, locale, slug);
	const pieces = blocks.flatMap((block) => (block.kind === 'piece' ? [block.piece] : []));
	return { title: story.title, slides: slides(pieces.slice(0, MAX_SLIDES)) };
}
