/**
 * The SQL bootstrap and migration runner on both database kinds: a fresh start applies migrations
 * and seed, a restart applies only new migrations, auth.uid() reads request claims, the API roles
 * cannot read auth tables, and failures name the migration file.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '../../../supabase/local/src/stack.ts';
import { testDbKinds, type TestDbKind } from '../../helpers/stack.ts';
import type { Queryable } from '../../../supabase/local/src/core/db.ts';

const FIXTURE = resolve('tests/fixtures/bootstrap-project');
const SEED_USER = '11111111-1111-4111-8111-111111111111';

/** A persistent database (PGlite folder or a Postgres database) that survives stack restarts. */
interface Place {
	projectDir: string;
	dataDir: string;
	databaseUrl?: string;
	cleanup(): Promise<void>;
}

async function createPlace(kind: TestDbKind): Promise<Place> {
	const root = mkdtempSync(join(tmpdir(), 'ct-bootstrap-'));
	const projectDir = join(root, 'project');
	cpSync(FIXTURE, projectDir, { recursive: true });
	const dataDir = join(root, 'data');
	if (kind === 'pglite') {
		return {
			projectDir,
			dataDir,
			cleanup: async () => rmSync(root, { recursive: true, force: true })
		};
	}
	const adminUrl = process.env.TEST_DATABASE_URL as string;
	const name = `ct_boot_${process.pid}_${Date.now().toString(36)}`;
	await admin(adminUrl, `create database ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		projectDir,
		dataDir,
		databaseUrl: url.toString(),
		async cleanup() {
			await admin(adminUrl, `drop database if exists ${name} with (force)`);
			rmSync(root, { recursive: true, force: true });
		}
	};
}

async function admin(url: string, sql: string): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

function start(place: Place, options: { reset?: boolean; logs?: string[] } = {}) {
	return startStack({
		projectDir: place.projectDir,
		dataDir: place.dataDir,
		databaseUrl: place.databaseUrl,
		port: 0,
		reset: options.reset,
		log: (message) => options.logs?.push(message)
	});
}

/** Runs `fn` as an API role with request claims set transaction-locally, then rolls back. */
async function asRole<T>(
	stack: RunningStack,
	role: string,
	claims: Record<string, unknown>,
	fn: (tx: Queryable) => Promise<T>
): Promise<T> {
	const rollback = new Error('rollback');
	let result: T | undefined;
	await stack.db
		.transaction(async (tx) => {
			await tx.query(
				`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`,
				[role, JSON.stringify({ ...claims, role })]
			);
			result = await fn(tx);
			throw rollback;
		})
		.catch((error) => {
			if (error !== rollback) throw error;
		});
	return result as T;
}

describe.each(testDbKinds())('bootstrap on %s', (kind) => {
	let place: Place;
	let stack: RunningStack | undefined;

	beforeAll(async () => {
		place = await createPlace(kind);
	});
	afterAll(async () => {
		await stack?.close();
		await place.cleanup();
	});

	it('applies migrations and the seed on a fresh start', async () => {
		const logs: string[] = [];
		stack = await start(place, { logs });
		const { rows: versions } = await stack.db.query<{ version: string; name: string }>(
			'select version, name from supabase_migrations.schema_migrations order by version'
		);
		expect(versions).toEqual([
			{ version: '20260101000000', name: 'notes' },
			{ version: '20260102000000', name: 'profiles' }
		]);
		const { rows: notes } = await stack.db.query<{ owner_id: string; body: string }>(
			'select owner_id, body from public.notes'
		);
		expect(notes).toEqual([{ owner_id: SEED_USER, body: 'seeded note' }]);
		// The seed's user went through the app trigger like a GoTrue signup would.
		const { rows: profiles } = await stack.db.query('select id, display_name from public.profiles');
		expect(profiles).toEqual([{ id: SEED_USER, display_name: 'Seed' }]);
		// Only the real `create extension pg_net` statement was skipped, not the one named in a comment.
		expect(logs.filter((line) => line.includes('is not available'))).toEqual([
			'migration 20260101000000_notes.sql: extension "pg_net" is not available here, statement skipped'
		]);
		const { rows: published } = await stack.db.query(
			`select tablename from pg_publication_tables where pubname = 'supabase_realtime'`
		);
		expect(published).toEqual([{ tablename: 'notes' }]);
		// The second migration's session-level `search_path = ''` did not leak into the services.
		const { rows: path } = await stack.db.query<{ path: string }>(
			`select current_setting('search_path') as path`
		);
		expect(path[0].path).toContain('public');
	});

	it('applies only new migrations on restart and does not seed again', async () => {
		await stack?.close();
		writeFileSync(
			join(place.projectDir, 'migrations', '20260103000000_tags.sql'),
			'create table public.tags (name text primary key);\n'
		);
		const logs: string[] = [];
		stack = await start(place, { logs });
		expect(logs.filter((line) => line.startsWith('applied migration'))).toEqual([
			'applied migration 20260103000000_tags.sql'
		]);
		expect(logs.some((line) => line.startsWith('seeded'))).toBe(false);
		const { rows } = await stack.db.query<{ n: number }>(
			'select count(*)::int as n from public.notes'
		);
		expect(rows[0].n).toBe(1);
		const { rows: versions } = await stack.db.query(
			'select version from supabase_migrations.schema_migrations'
		);
		expect(versions).toHaveLength(3);
	});

	it('auth.uid(), auth.role(), auth.email() and auth.jwt() read the request claims', async () => {
		const running = stack as RunningStack;
		const row = await asRole(
			running,
			'authenticated',
			{ sub: SEED_USER, email: 'seed@example.test', aal: 'aal1' },
			async (tx) =>
				(
					await tx.query<Record<string, unknown>>(
						`select auth.uid() as uid, auth.role() as role, auth.email() as email,
							auth.jwt() ->> 'aal' as aal, current_user as who`
					)
				).rows[0]
		);
		expect(row).toEqual({
			uid: SEED_USER,
			role: 'authenticated',
			email: 'seed@example.test',
			aal: 'aal1',
			who: 'authenticated'
		});
		// RLS applies to the impersonated role: another user sees none of the seed user's notes.
		const other = await asRole(
			running,
			'authenticated',
			{ sub: '22222222-2222-4222-8222-222222222222' },
			async (tx) => (await tx.query('select * from public.notes')).rows
		);
		expect(other).toEqual([]);
		const own = await asRole(
			running,
			'authenticated',
			{ sub: SEED_USER },
			async (tx) => (await tx.query('select body from public.notes')).rows
		);
		expect(own).toEqual([{ body: 'seeded note' }]);
	});

	it('keeps auth tables and ungranted tables away from the API roles', async () => {
		const running = stack as RunningStack;
		for (const role of ['anon', 'authenticated']) {
			await expect(
				asRole(running, role, {}, (tx) => tx.query('select * from auth.users'))
			).rejects.toMatchObject({ code: '42501' });
		}
		// New tables are not exposed automatically ([api] auto_expose_new_tables defaults to false).
		await expect(
			asRole(running, 'authenticated', { sub: SEED_USER }, (tx) =>
				tx.query('select * from public.profiles')
			)
		).rejects.toMatchObject({ code: '42501' });
		const serviceRows = await asRole(
			running,
			'service_role',
			{},
			async (tx) => (await tx.query('select auth.role() as role')).rows
		);
		expect(serviceRows).toEqual([{ role: 'service_role' }]);
	});

	it('stops with a message naming the failing migration and keeps earlier ones', async () => {
		await stack?.close();
		stack = undefined;
		writeFileSync(
			join(place.projectDir, 'migrations', '20260104000000_broken.sql'),
			'create table public.ok_before (id int);\nselect * from public.does_not_exist;\n'
		);
		await expect(start(place)).rejects.toThrow(
			/migration migrations\/20260104000000_broken\.sql failed: relation "public\.does_not_exist" does not exist \(SQLSTATE 42P01\)/
		);
		rmSync(join(place.projectDir, 'migrations', '20260104000000_broken.sql'));
		stack = await start(place);
		const { rows } = await stack.db.query(`select to_regclass('public.ok_before') as t`);
		expect(rows).toEqual([{ t: null }]);
	});

	it('reset rebuilds the database from migrations and seed', async () => {
		await stack?.db.query(`insert into public.tags values ('temporary')`);
		await stack?.close();
		const logs: string[] = [];
		stack = await start(place, { reset: true, logs });
		expect(logs.filter((line) => line.startsWith('applied migration'))).toHaveLength(3);
		expect(logs.some((line) => line.startsWith('seeded'))).toBe(true);
		const { rows } = await stack.db.query('select * from public.tags');
		expect(rows).toEqual([]);
	});
});
