import { parseView } from '#lib/components/gallery/view.ts';
import { publicCacheHeaders } from '#lib/server/gallery/cache.ts';
import { loadFacets, loadGalleryPage } from '#lib/server/gallery/queries.ts';
import { enforceRateLimit } from '#lib/server/rate-limit.ts';
import type { RequestHandler } from './$types';

/** The next page of a gallery view as JSON, for "load more" (the page itself links to it too). */
export const GET: RequestHandler = async ({ locals, url }) => {
	const view = parseView(url.searchParams);
	if (view.q) await enforceRateLimit('search');
	const facets = await loadFacets(locals.supabase, locals.locale);
	const page = Number(url.searchParams.get('page') ?? '1');
	const result = await loadGalleryPage(locals.supabase, locals.locale, view, facets, {
		before: url.searchParams.get('before'),
		page: Number.isInteger(page) && page > 0 ? page : 1
	});
	const body = JSON.stringify(result);
	return new Response(body, {
		headers: { 'content-type': 'application/json', ...publicCacheHeaders(body) }
	});
};
