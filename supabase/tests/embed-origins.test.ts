/**
 * The embed origin list (migration 20261207120000_embed_origins.sql), on PGlite and Postgres:
 * everyone may read it (every embed response names it in its CSP header), only an admin may change
 * it, and the database itself refuses anything but bare https origins (http for loopback hosts),
 * so no path, wildcard or second CSP directive can reach the header whoever writes the row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { ALL_AUDIENCES, attempt, type Caller } from './support.ts';

const update = (origins: string[]) =>
	`update public.site_settings set embed_origins = array[${origins
		.map((o) => `'${o.replaceAll("'", "''")}'`)
		.join(',')}]::text[] where id returning embed_origins`;

describe.each(testDbKinds())('embed origins on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const run = (caller: Caller, sql: string) =>
		attempt(stack, caller, async (tx) => (await tx.query<{ embed_origins: string[] }>(sql)).rows);

	it('everyone reads the one row, starting empty', async () => {
		for (const audience of ALL_AUDIENCES) {
			const outcome = await run(audience, 'select embed_origins from public.site_settings');
			expect(outcome, audience).toEqual({ ok: true, value: [{ embed_origins: [] }] });
		}
	});

	it('only an admin changes it', async () => {
		const list = ['https://www.example.org', 'http://localhost:4620'];
		expect(await run('admin', update(list))).toEqual({
			ok: true,
			value: [{ embed_origins: list }]
		});
		for (const audience of ALL_AUDIENCES.filter((a) => a !== 'admin')) {
			const outcome = await run(audience, update(list));
			// Participants and staff below admin: the row is not theirs to update (0 rows or 42501).
			if (outcome.ok) expect(outcome.value, audience).toEqual([]);
			else expect(outcome.code, audience).toBe('42501');
		}
		expect(
			await run(
				'admin',
				'insert into public.site_settings (id) values (true) returning embed_origins'
			)
		).toMatchObject({ ok: false, code: '42501' });
		expect(
			await run('admin', 'delete from public.site_settings returning embed_origins')
		).toMatchObject({ ok: false, code: '42501' });
	});

	it.each([
		['a path', 'https://www.example.org/blog'],
		['a trailing slash', 'https://www.example.org/'],
		['a wildcard', 'https://*.example.org'],
		['a second directive', "https://a.example; script-src 'unsafe-inline'"],
		['a second source', 'https://a.example https://b.example'],
		['plain http to a real host', 'http://www.example.org'],
		['upper case', 'https://WWW.example.org'],
		['a keyword', "'self'"],
		['an empty entry', '']
	])('the database refuses %s, even from the service role', async (_, origin) => {
		for (const caller of ['admin', 'service_role'] as const) {
			expect(await run(caller, update([origin]))).toMatchObject({ ok: false, code: '23514' });
		}
	});

	it('refuses duplicates and more than 20 entries', async () => {
		expect(await run('admin', update(['https://a.example', 'https://a.example']))).toMatchObject({
			ok: false,
			code: '23514'
		});
		const many = Array.from({ length: 21 }, (_, i) => `https://s${i}.example`);
		expect(await run('admin', update(many))).toMatchObject({ ok: false, code: '23514' });
		expect(await run('admin', update(many.slice(0, 20)))).toMatchObject({ ok: true });
	});
});
