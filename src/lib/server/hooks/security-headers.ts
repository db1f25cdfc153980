import type { Handle } from '@sveltejs/kit/hooks';

/** Headers every response carries; the CSP itself comes from csp.ts, passed to the SvelteKit plugin in vite.config.ts. */
export const baselineHeaders: Readonly<Record<string, string>> = {
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'strict-origin-when-cross-origin',
	'Permissions-Policy':
		'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
	'X-Frame-Options': 'DENY',
	'Cross-Origin-Opener-Policy': 'same-origin'
};

/**
 * One year, no `includeSubDomains` and no preload: the operator's other subdomains (a plain-HTTP
 * intranet page, say) are none of this app's business, and preloading cannot be undone quickly.
 */
export const HSTS = 'max-age=31536000';

/**
 * Responses other sites are meant to embed: the OpenGraph share image (link previews load it from
 * chat apps and social sites) and the QR code. Everything else is `same-origin`, so another site
 * cannot pull the app's pages or JSON into its own context (Spectre-style leaks). Static files in
 * `static/` and the build's assets are served by adapter-node before the hooks run and carry no
 * CORP; they are public anyway. Photos come from the Storage origin, not from the app.
 */
export function crossOriginResourcePolicy(pathname: string): 'same-origin' | 'cross-origin' {
	if (/\/(share\.jpg|qr\.svg)$/.test(pathname)) return 'cross-origin';
	// The embed pages and their oEmbed description are made for other sites (src/lib/server/embed).
	return /^(\/[a-z]{2})?\/(embed\/|oembed$)/.test(pathname) ? 'cross-origin' : 'same-origin';
}

/**
 * The CSP with its `frame-ancestors` directive replaced by `sources` (added when missing). Only
 * the embed pages call for it, with 'self' and the origins the organisation listed.
 */
export function withFrameAncestors(csp: string, sources: string): string {
	const directives = csp
		.split(';')
		.map((directive) => directive.trim())
		.filter((directive) => directive && directive.split(/\s+/)[0] !== 'frame-ancestors');
	return [...directives, `frame-ancestors ${sources}`].join('; ');
}

/**
 * Adds `origin` to the CSP directives that must reach the Supabase stack (images and voice notes
 * from storage, API calls from the browser). The origin comes from the environment, so the build cannot know it.
 */
export function allowOriginInCsp(csp: string, origin: string | undefined): string {
	if (!origin) return csp;
	return csp
		.split(';')
		.map((directive) => {
			const trimmed = directive.trim();
			const name = trimmed.split(/\s+/)[0];
			// media-src: published voice notes play from storage's public-media bucket.
			return name === 'img-src' || name === 'connect-src' || name === 'media-src'
				? `${trimmed} ${origin}`
				: trimmed;
		})
		.filter(Boolean)
		.join('; ');
}

function originOf(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

function applyHeaders(
	headers: Headers,
	url: URL,
	supabaseUrl: string | undefined,
	frameAncestors: string | undefined
): void {
	for (const [name, value] of Object.entries(baselineHeaders)) {
		// An embed page is framed under its CSP's frame-ancestors alone: X-Frame-Options knows no
		// list of origins, and a browser that honours both would refuse every frame.
		if (frameAncestors && name === 'X-Frame-Options') continue;
		if (!headers.has(name)) headers.set(name, value);
	}
	if (!headers.has('Cross-Origin-Resource-Policy')) {
		headers.set('Cross-Origin-Resource-Policy', crossOriginResourcePolicy(url.pathname));
	}
	// event.url is https when ORIGIN starts with https:// or, behind a proxy, when adapter-node is
	// told to trust it with PROTOCOL_HEADER=x-forwarded-proto; a client cannot fake it otherwise.
	// Browsers ignore HSTS over plain HTTP anyway, so local http://localhost stays usable.
	if (url.protocol === 'https:') headers.set('Strict-Transport-Security', HSTS);
	let csp = headers.get('Content-Security-Policy');
	if (!csp) return;
	csp = allowOriginInCsp(csp, originOf(supabaseUrl));
	if (frameAncestors) csp = withFrameAncestors(csp, frameAncestors);
	headers.set('Content-Security-Policy', csp);
}

/**
 * Creates the handle that sets the baseline security headers and extends the CSP with the
 * Supabase origin. Kept a factory so tests can pass the origin without touching the environment.
 * A page that may be framed says so in `locals.frameAncestors` (the embed pages do, see
 * src/routes/embed); every other response keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.
 */
export function createSecurityHeadersHandle(supabaseUrl: () => string | undefined): Handle {
	return async ({ event, resolve }) => {
		let response = await resolve(event);
		const frameAncestors = event.locals?.frameAncestors;
		try {
			applyHeaders(response.headers, event.url, supabaseUrl(), frameAncestors);
		} catch {
			// A response passed through from fetch() has immutable headers: copy it first.
			response = new Response(response.body, response);
			applyHeaders(response.headers, event.url, supabaseUrl(), frameAncestors);
		}
		return response;
	};
}
