import adapter from '@sveltejs/adapter-node';

/**
 * Content Security Policy. SvelteKit adds the hash of each inline script it writes to
 * `script-src`, so no other inline script runs. Hashes rather than nonces: a nonce must differ in
 * every response, but public pages are served from shared caches (src/lib/server/hooks/page-cache.ts,
 * a CDN), where a nonce would repeat and be public. Inline styles stay
 * allowed because Svelte transitions write `style` attributes; styles cannot execute code.
 * The Supabase origin is added to `img-src` and `connect-src` at runtime (see security-headers.ts),
 * because it comes from the environment, not from the build.
 */
/** @type {NonNullable<NonNullable<NonNullable<import('@sveltejs/kit').Config['kit']>['csp']>['directives']>} */
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
};

/** @type {import('@sveltejs/kit').Config} */
const config = {
	kit: {
		adapter: adapter(),
		csp: {
			mode: 'hash',
			directives: cspDirectives
		},
		// The first paint waits for every stylesheet: inline them (about 15 KiB, 4 KiB gzip on a public
		// page) instead of making a phone open more requests before it can draw anything.
		inlineStyleThreshold: 16 * 1024,
		typescript: {
			// Type-check and lint the scripts, the database suites and root configs with the app.
			config: (tsconfig) => {
				tsconfig.include.push(
					'../scripts/**/*.ts',
					'../supabase/tests/**/*.ts',
					'../playwright.config.ts'
				);
			}
		}
	}
};

export default config;
