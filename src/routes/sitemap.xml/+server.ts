import { locales } from '#lib/paraglide/runtime.js';
import { localizeHref } from '#lib/i18n/href.ts';
import { publicCacheHeaders } from '#lib/server/gallery/cache.ts';
import { listPublishedPieces, listPublishedStories, xml } from '#lib/server/gallery/feeds.ts';
import type { RequestHandler } from './$types';

const STATIC_PATHS = ['/', '/gallery', '/stories', '/about'];

/** Every public page in every UI language, each with its hreflang alternates. */
export const GET: RequestHandler = async ({ locals, url }) => {
	const [pieces, stories] = await Promise.all([
		listPublishedPieces(locals.supabase),
		listPublishedStories(locals.supabase)
	]);
	const entries: { path: string; lastmod?: string }[] = [
		...STATIC_PATHS.map((path) => ({ path })),
		...stories.map((s) => ({ path: `/stories/${s.slug}`, lastmod: s.updated_at })),
		...pieces.map((p) => ({ path: `/pieces/${p.id}`, lastmod: p.updated_at ?? p.published_at }))
	];
	const href = (path: string, locale: (typeof locales)[number]) =>
		xml(new URL(localizeHref(path, { locale }), url.origin).href);
	const body = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
${entries
	.flatMap(({ path, lastmod }) => {
		const alternates = locales
			.map((l) => `<xhtml:link rel="alternate" hreflang="${l}" href="${href(path, l)}"/>`)
			.concat(`<xhtml:link rel="alternate" hreflang="x-default" href="${href(path, 'de')}"/>`)
			.join('');
		const modified = lastmod ? `<lastmod>${xml(new Date(lastmod).toISOString())}</lastmod>` : '';
		return locales.map((l) => `<url><loc>${href(path, l)}</loc>${modified}${alternates}</url>`);
	})
	.join('\n')}
</urlset>
`;
	return new Response(body, {
		headers: { 'content-type': 'application/xml; charset=utf-8', ...publicCacheHeaders(body) }
	});
};
