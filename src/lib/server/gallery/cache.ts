import { createHash } from 'node:crypto';
import type { RequestEvent } from '@sveltejs/kit';
import { version } from '$app/env';

/** Shared caches may keep a public page this long, then serve it stale while revalidating. */
const PUBLIC_CACHE = 'public, max-age=0, s-maxage=300, stale-while-revalidate=86400';

/**
 * Marks an anonymous public response as cacheable, with a weak ETag over the data it renders
 * (weak: equal data gives equivalent pages, not byte-equal ones across builds). The supabase hook
 * overrides this with `private, no-store` whenever the request carries or sets a session; the
 * app's page cache (src/lib/server/hooks/page-cache.ts) and any CDN keep what stays public.
 */
export function setPublicCache(
	event: Pick<RequestEvent, 'setHeaders' | 'url'>,
	data: unknown
): void {
	// The build's version too: after a deploy, a page revalidated with an old ETag must not be
	// answered 304, or the browser would keep HTML that loads the old build's scripts.
	const hash = createHash('sha256')
		.update(version)
		.update(event.url.pathname + event.url.search)
		.update(JSON.stringify(data))
		.digest('base64url')
		.slice(0, 27);
	event.setHeaders({ 'cache-control': PUBLIC_CACHE, etag: `W/"${hash}"` });
}

/** Same headers for a `+server.ts` response body. */
export function publicCacheHeaders(body: string | Uint8Array): Record<string, string> {
	const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
	return { 'cache-control': PUBLIC_CACHE, etag: `"${hash}"` };
}
