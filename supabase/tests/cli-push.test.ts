/**
 * The migrations and the seed as the Supabase CLI applies them (`supabase db push`, the path to a
 * hosted project) on a plain Postgres that has only the platform's objects (roles, auth, storage
 * from the local stack's bootstrap). Catches what our own runner would forgive, such as a
 * statement the CLI's splitter cuts differently. Needs a real server: runs with TEST_DATABASE_URL.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

const adminUrl = process.env.TEST_DATABASE_URL;
const BOOTSTRAP = resolve('supabase/local/src/bootstrap');

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

describe.skipIf(!adminUrl)('supabase db push', () => {
	it('applies every migration and the seed on plain Postgres', async () => {
		const name = `ct_push_${process.pid}_${Date.now().toString(36)}`;
		await withClient(adminUrl as string, (c) => c.query(`create database ${name}`));
		const url = new URL(adminUrl as string);
		url.pathname = `/${name}`;
		url.searchParams.set('sslmode', 'disable');
		try {
			await withClient(url.toString(), async (c) => {
				for (const file of readdirSync(BOOTSTRAP)
					.filter((f) => f.endsWith('.sql'))
					.sort())
					await c.query(readFileSync(join(BOOTSTRAP, file), 'utf8'));
			});
			const { stdout, stderr } = await promisify(execFile)(
				resolve('node_modules/@supabase/cli-linux-x64/bin/supabase'),
				['db', 'push', '--db-url', url.toString(), '--include-seed', '--yes'],
				{ env: { ...process.env, DO_NOT_TRACK: '1' }, maxBuffer: 16 * 1024 * 1024 }
			);
			expect(`${stdout}${stderr}`).toMatch(/Finished supabase db push/);
			const migrations = readdirSync(resolve('supabase/migrations')).filter((f) =>
				f.endsWith('.sql')
			);
			const state = await withClient(url.toString(), async (c) => ({
				versions: (await c.query('select version from supabase_migrations.schema_migrations'))
					.rowCount,
				published: (
					await c.query(`select count(*)::int as n from public.pieces where status = 'published'`)
				).rows[0].n
			}));
			expect(state).toEqual({ versions: migrations.length, published: 24 });
		} finally {
			await withClient(adminUrl as string, (c) =>
				c.query(`drop database if exists ${name} with (force)`)
			);
		}
	});
});
