import { error } from '@sveltejs/kit';
import { thumbHashToDataURL } from 'thumbhash';
import { parseView, viewParams } from '#lib/components/gallery/view.ts';
import { setPublicCache } from '#lib/server/gallery/cache.ts';
import {
	loadFacets,
	loadNeighbours,
	loadPiece,
	type Neighbour
} from '#lib/server/gallery/queries.ts';
import { loadStorySequence } from '#lib/server/gallery/stories.ts';
import { publicVoiceNote } from '#lib/server/pieces/voice.ts';
import type { PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const load: PageServerLoad = async (event) => {
	const { locals, params, url } = event;
	if (!UUID.test(params.id)) error(404, 'Piece not found', { code: 'piece_not_found' });
	const { piece, themes } = await loadPiece(locals.supabase, locals.locale, params.id);

	const requested = url.searchParams.get('text');
	const selected = piece.texts.find((t) => t.language === requested) ?? piece.shown;
	const original = piece.texts.find((t) => t.language === piece.originalLanguage) ?? piece.texts[0];

	// Previous/next follow the view the reader came from: a story, or a gallery view.
	const storySlug = url.searchParams.get('story');
	const view = parseView(url.searchParams);
	let context: { story: { slug: string; title: string } | null; search: string } = {
		story: null,
		search: viewParams(view).toString()
	};
	let neighbours: { previous: Neighbour | null; next: Neighbour | null } = {
		previous: null,
		next: null
	};
	if (storySlug && SLUG.test(storySlug)) {
		const sequence = await loadStorySequence(locals.supabase, locals.locale, storySlug);
		const at = sequence?.pieces.findIndex((p) => p.id === piece.id) ?? -1;
		if (sequence && at >= 0) {
			const pick = (p: (typeof sequence.pieces)[number] | undefined) =>
				p ? { id: p.id, title: p.shown.title, lang: p.shown.language } : null;
			neighbours = { previous: pick(sequence.pieces[at - 1]), next: pick(sequence.pieces[at + 1]) };
			context = { story: { slug: storySlug, title: sequence.title }, search: `story=${storySlug}` };
		}
	} else {
		const facets = await loadFacets(locals.supabase, locals.locale);
		neighbours = await loadNeighbours(locals.supabase, locals.locale, view, facets, piece);
	}

	const photoParam = Number(url.searchParams.get('photo') ?? '0');
	const photoIndex =
		Number.isInteger(photoParam) && photoParam >= 0 && photoParam < piece.photos.length
			? photoParam
			: 0;
	const hash = piece.photos[photoIndex]?.placeholder;
	const data = {
		piece,
		photoIndex,
		preview: hash ? thumbHashToDataURL(Buffer.from(hash, 'base64')) : null,
		themes,
		selectedLanguage: selected.language,
		originalLanguage: original.language,
		compare: url.searchParams.get('compare') === '1' && piece.texts.length > 1,
		neighbours,
		context,
		voiceNote: await publicVoiceNote(locals.supabase, piece.id)
	};
	setPublicCache(event, data);
	return data;
};

// Rendered on the server only: no client-side app to download and hydrate (see #lib/enhance).
export const csr = false;
