import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';
import { paraglideOptions } from './scripts/paraglide.ts';

export default defineConfig({
	plugins: [paraglideVitePlugin(paraglideOptions), sveltekit()],
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
