/**
 * Checklist A12: nothing secret reaches the browser. SvelteKit refuses to build when client code
 * imports `#lib/server` or `$env/*\/private`; this checks the result, the built client files, for
 * the stack's secret key, the service-role JWT and server-only module names.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { SECRET_KEY, SERVICE_ROLE_KEY } from '../../supabase/local/src/core/keys.ts';

const SECRET_KEY_SHAPE = /sb_secret_[A-Za-z0-9_-]{8,}/g;

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? files(path) : [path];
	});
}

test('the client build holds no secret key, service-role token or server module', () => {
	const client = files('build/client').filter((path) => /\.(js|css|html|json)$/.test(path));
	expect(client.length).toBeGreaterThan(10);
	const leaks: string[] = [];
	for (const path of client) {
		const text = readFileSync(path, 'utf8');
		for (const needle of [
			SECRET_KEY,
			SERVICE_ROLE_KEY,
			'SUPABASE_SECRET_KEY',
			'supabase-admin',
			'service_role'
		]) {
			if (text.includes(needle)) leaks.push(`${path}: ${needle}`);
		}
		// Any secret key, not only the stack's: `sb_secret_` and its body. supabase-js 2.119 itself
		// holds the bare prefix (it tells publishable from secret keys), which is no leak.
		for (const key of text.match(SECRET_KEY_SHAPE) ?? []) leaks.push(`${path}: ${key}`);
	}
	expect(leaks).toEqual([]);
});

test('pages served to the browser carry no secret either', async ({ request }) => {
	for (const path of ['/de/', '/de/signin', '/de/join/FADEN-2026-DEMO', '/de/gallery']) {
		const html = await (await request.get(path)).text();
		expect(html).not.toContain('sb_secret_');
		expect(html).not.toContain(SERVICE_ROLE_KEY);
	}
});
