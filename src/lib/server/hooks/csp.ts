import type { Config } from '@sveltejs/kit/vite';

/**
 * Content Security Policy, passed to the SvelteKit plugin in vite.config.ts. SvelteKit adds the
 * hash of each inline script it writes to `script-src`, so no other inline script runs. Hashes
 * rather than nonces: a nonce must differ in every response, but public pages are served from
 * shared caches (page-cache.ts, a CDN), where a nonce would repeat and be public. Inline styles
 * stay allowed because Svelte transitions write `style` attributes; styles cannot execute code.
 * The Supabase origin is added to `img-src` and `connect-src` at runtime (see security-headers.ts),
 * because it comes from the environment, not from the build.
 */
export const cspDirectives = {
	'default-src': ['self'],
	'script-src': ['self'],
	'style-src': ['self', 'unsafe-inline'],
	'img-src': ['self', 'data:', 'blob:'],
	'font-src': ['self'],
	'connect-src': ['self'],
	'media-src': ['self', 'blob:'],
	'object-src': ['none'],
	'base-uri': ['self'],
	'form-action': ['self'],
	'frame-ancestors': ['none'],
	'worker-src': ['self', 'blob:'],
	'manifest-src': ['self']
} satisfies NonNullable<NonNullable<Config['csp']>['directives']>;
