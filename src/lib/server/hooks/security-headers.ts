import type { Handle } from '@sveltejs/kit';

/** Headers every response carries; the CSP itself comes from `kit.csp` in svelte.config.js. */
export const baselineHeaders: Readonly<Record<string, string>> = {
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'strict-origin-when-cross-origin',
	'Permissions-Policy':
		'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
	'X-Frame-Options': 'DENY',
	'Cross-Origin-Opener-Policy': 'same-origin'
};

/**
 * Adds `origin` to the CSP directives that must reach the Supabase stack (images from storage,
 * API calls from the browser). The origin comes from the environment, so the build cannot know it.
 */
export function allowOriginInCsp(csp: string, origin: string | undefined): string {
	if (!origin) return csp;
	return csp
		.split(';')
		.map((directive) => {
			const trimmed = directive.trim();
			const name = trimmed.split(/\s+/)[0];
			return name === 'img-src' || name === 'connect-src' ? `${trimmed} ${origin}` : trimmed;
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

function applyHeaders(headers: Headers, supabaseUrl: string | undefined): void {
	for (const [name, value] of Object.entries(baselineHeaders)) {
		if (!headers.has(name)) headers.set(name, value);
	}
	const csp = headers.get('Content-Security-Policy');
	if (csp) headers.set('Content-Security-Policy', allowOriginInCsp(csp, originOf(supabaseUrl)));
}

/**
 * Creates the handle that sets the baseline security headers and extends the CSP with the
 * Supabase origin. Kept a factory so tests can pass the origin without touching the environment.
 */
export function createSecurityHeadersHandle(supabaseUrl: () => string | undefined): Handle {
	return async ({ event, resolve }) => {
		let response = await resolve(event);
		try {
			applyHeaders(response.headers, supabaseUrl());
		} catch {
			// A response passed through from fetch() has immutable headers: copy it first.
			response = new Response(response.body, response);
			applyHeaders(response.headers, supabaseUrl());
		}
		return response;
	};
}
