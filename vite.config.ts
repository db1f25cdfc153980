import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { paraglideOptions } from './scripts/paraglide.ts';
import { cspDirectives } from './src/lib/server/hooks/csp.ts';

/**
 * Vite plugin: the URLPattern polyfill, in the browser only where it is missing.
 *
 * The paraglide runtime starts with `import "@inlang/paraglide-js/urlpattern-polyfill"`, which
 * put the whole polyfill (about 6 KiB gzip) into every page's first script, although Chromium
 * (so Android's browsers), Firefox 142+ and Safari 26+ have URLPattern. In the client build this
 * import becomes a module that fetches the polyfill only where URLPattern is missing, with a
 * top-level await, so the runtime still finds URLPattern when it runs. Server builds and tests
 * keep the plain import (Node 22, the oldest Node the project supports, has no global URLPattern).
 */
function lazyUrlPatternPolyfill(): Plugin {
	const POLYFILL = '@inlang/paraglide-js/urlpattern-polyfill';
	const LAZY = '\0lazy-urlpattern-polyfill';
	return {
		name: 'lazy-urlpattern-polyfill',
		apply: 'build',
		enforce: 'pre',
		resolveId(source, importer, options) {
			if (source !== POLYFILL || importer === LAZY || options?.ssr) return null;
			return LAZY;
		},
		load(id) {
			if (id !== LAZY) return null;
			return `if (!globalThis.URLPattern) await import(${JSON.stringify(POLYFILL)});\n`;
		}
	};
}

/**
 * Vite plugin: builds `src/lib/enhance` into one script next to the app's client build. The
 * public reading pages have no client-side app (`csr = false`, so SvelteKit emits no script for
 * them); this small script is their progressive enhancement, loaded by PublicScript.svelte.
 * The server build, which writes the tag, runs before the client build, so the name cannot come
 * from the output: it carries a hash of the sources instead, and lives under `_app/immutable/`,
 * which browsers may cache for a year. The name reaches the app as `__ENHANCE_SCRIPT__`.
 */
const ENHANCE_DIR = fileURLToPath(new URL('./src/lib/enhance/', import.meta.url));
const ENHANCE_SCRIPT = `_app/immutable/enhance.${createHash('sha256')
	.update(
		readdirSync(ENHANCE_DIR)
			.filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
			.sort()
			.map((name) => `${name}\0${readFileSync(ENHANCE_DIR + name, 'utf8')}`)
			.join('\0')
	)
	.digest('base64url')
	.slice(0, 10)}.js`;

function publicEnhancementScript(): Plugin {
	let client = false;
	return {
		name: 'public-enhancement-script',
		config: () => ({ define: { __ENHANCE_SCRIPT__: JSON.stringify(ENHANCE_SCRIPT) } }),
		configResolved(config) {
			client = config.command === 'build' && !config.build.ssr;
		},
		buildStart() {
			if (!client) return;
			this.emitFile({ type: 'chunk', id: `${ENHANCE_DIR}index.ts`, fileName: ENHANCE_SCRIPT });
		}
	};
}

export default defineConfig({
	plugins: [
		publicEnhancementScript(),
		lazyUrlPatternPolyfill(),
		paraglideVitePlugin(paraglideOptions),
		sveltekit({
			adapter: adapter(),
			csp: { mode: 'hash', directives: cspDirectives },
			// Registered by the participant pages alone, with narrow scopes (#lib/offline/register.ts).
			serviceWorker: { register: false },
			// The first paint waits for every stylesheet: inline them (about 15 KiB, 4 KiB gzip on a
			// public page) instead of making a phone open more requests before it can draw anything.
			inlineStyleThreshold: 16 * 1024
		})
	],
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'server',
					environment: 'node',
					include: ['src/**/*.test.ts'],
					exclude: ['src/**/*.svelte.test.ts']
				}
			},
			{
				// Components rendered in jsdom; svelteTesting() selects Svelte's browser build and cleans up.
				extends: './vite.config.ts',
				plugins: [svelteTesting()],
				test: {
					name: 'client',
					environment: 'jsdom',
					include: ['src/**/*.svelte.test.ts']
				}
			},
			{
				// The local stack, the database and whole-system suites: real PGlite and Postgres, no mocks.
				test: {
					name: 'integration',
					environment: 'node',
					include: ['tests/integration/**/*.test.ts', 'supabase/**/*.test.ts'],
					testTimeout: 60_000,
					hookTimeout: 120_000,
					fileParallelism: false
				}
			}
		]
	}
});
