import { parseView, viewParams } from '#lib/components/gallery/view.ts';
import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { enforceRateLimit } from '#lib/server/rate-limit.ts';
import { loadFacets, loadGalleryPage, loadTextLanguages } from '#lib/server/gallery/queries.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { locals, url } = event;
	const view = parseView(url.searchParams);
	if (view.q) await enforceRateLimit('search');
	const [facets, languages] = await Promise.all([
		loadFacets(locals.supabase, locals.locale),
		loadTextLanguages(locals.supabase)
	]);
	const page = Number(url.searchParams.get('page') ?? '1');
	const result = await loadGalleryPage(locals.supabase, locals.locale, view, facets, {
		before: url.searchParams.get('before'),
		page: Number.isInteger(page) && page > 0 ? page : 1
	});
	const data = {
		view,
		viewSearch: viewParams(view).toString(),
		isFirstPage: !url.searchParams.has('before') && !url.searchParams.has('page'),
		workshops: facets.workshops.map(({ value, label }) => ({ value, label })),
		themes: facets.themes.map(({ value, label }) => ({ value, label })),
		languages,
		pieces: result.pieces,
		next: result.next
	};
	setPublicCache(event, data);
	return data;
};

// Rendered on the server only: no client-side app to download and hydrate (see #lib/enhance).
export const csr = false;
