import type { RequestHandler } from './$types';

/** Public pages are for everyone; the sitemap lists them. Nothing private is reachable unsigned. */
export const GET: RequestHandler = ({ url }) =>
	new Response(
		`User-agent: *\nAllow: /\n\nSitemap: ${new URL('/sitemap.xml', url.origin).href}\n`,
		{
			headers: {
				'content-type': 'text/plain; charset=utf-8',
				'cache-control': 'public, max-age=3600, s-maxage=86400'
			}
		}
	);
