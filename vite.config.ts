import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

/**
 * Every UI language carries a URL prefix (/de/…, /en/…): an unprefixed URL has no locale, so the
 * cookie and then Accept-Language decide and the middleware redirects to the prefixed URL.
 * German is the base locale and the last fallback.
 */
const localePrefixes = ['de', 'en', 'uk', 'ar', 'fa'].map(
	(locale) => [locale, `/${locale}/:path(.*)?`] as [string, string]
);

export default defineConfig({
	plugins: [
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			strategy: ['url', 'cookie', 'preferredLanguage', 'baseLocale'],
			urlPatterns: [{ pattern: '/:path(.*)?', localized: localePrefixes }],
			cookieName: 'ct_locale',
			cookieMaxAge: 60 * 60 * 24 * 365
		}),
		sveltekit()
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
