/**
 * Starts a throw-away local stack for a test file: PGlite in memory by default, or a fresh database
 * on the real Postgres server named by TEST_DATABASE_URL. Each call gets its own database, data
 * folder and port.
 *
 * The stack's own conformance suites can also run against a real Supabase ('remote'): set
 * SUPABASE_TEST_URL, SUPABASE_TEST_PUBLISHABLE_KEY and SUPABASE_TEST_SECRET_KEY, and
 * SUPABASE_TEST_DB_URL so each suite can load its fixture project (supabase/local/README.md).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import {
	startStack,
	type RunningStack,
	type StackOptions
} from '../../supabase/local/src/stack.ts';
import { openDatabase, type Database } from '../../supabase/local/src/core/db.ts';
import { JWT_SECRET, type JwtClaims, type Keys } from '../../supabase/local/src/core/keys.ts';
import { loadProjectConfig, parseSize } from '../../supabase/local/src/core/config.ts';
import type { StackContext } from '../../supabase/local/src/core/http.ts';

export type TestDbKind = 'pglite' | 'postgres' | 'remote';

/** Why a test that needs the local stack's internals does not run against a real Supabase. */
export const REMOTE_SKIP = {
	internals: 'remote: needs the local stack internals (signing key, data dir, restarts)',
	outbox: 'remote: reads the local mail outbox (a real Supabase sends mail through its SMTP)',
	files: 'remote: inspects the bytes under the local data dir',
	db: 'remote: needs SQL access (set SUPABASE_TEST_DB_URL)',
	asyncReload:
		'remote: PostgREST reloads its schema cache asynchronously after DDL (rest-schema-reload.test.ts polls)'
} as const;

function remoteConfigured(): boolean {
	return Boolean(
		process.env.SUPABASE_TEST_URL &&
		process.env.SUPABASE_TEST_PUBLISHABLE_KEY &&
		process.env.SUPABASE_TEST_SECRET_KEY
	);
}

/**
 * The kinds this run covers: PGlite always, Postgres when TEST_DATABASE_URL is set, and for the
 * stack's conformance suites (`{ remote: true }`) a real Supabase when SUPABASE_TEST_URL and its
 * keys are set. Other suites use app internals and never run remotely. `TEST_KINDS=remote` (a
 * comma list) narrows the run to the kinds named.
 */
export function testDbKinds(options: { remote?: boolean } = {}): TestDbKind[] {
	const kinds: TestDbKind[] = ['pglite'];
	if (process.env.TEST_DATABASE_URL) kinds.push('postgres');
	if (options.remote && remoteConfigured()) kinds.push('remote');
	const only = process.env.TEST_KINDS?.split(',').map((k) => k.trim());
	return only ? kinds.filter((k) => only.includes(k)) : kinds;
}

export interface TestStack extends RunningStack {
	kind: TestDbKind;
}

export async function startTestStack(
	options: StackOptions & { kind?: TestDbKind } = {}
): Promise<TestStack> {
	const kind = options.kind ?? 'pglite';
	if (kind === 'remote') return connectRemote(resolve(options.projectDir ?? 'supabase'));
	const dataDir = mkdtempSync(join(tmpdir(), 'ct-stack-'));
	let databaseUrl: string | undefined;
	let dropDatabase = async () => {};
	if (kind === 'postgres') {
		const adminUrl = process.env.TEST_DATABASE_URL;
		if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
		const name = `ct_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
		await withAdmin(adminUrl, (c) => c.query(`create database ${name}`));
		const url = new URL(adminUrl);
		url.pathname = `/${name}`;
		databaseUrl = url.toString();
		dropDatabase = () =>
			withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(
				() => undefined
			);
	}
	const running = await startStack({
		projectDir: resolve('supabase'),
		port: 0,
		log: () => {},
		...options,
		dataDir,
		databaseUrl,
		inMemory: kind === 'pglite'
	});
	return {
		...running,
		kind,
		async close() {
			await running.close();
			await dropDatabase();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/**
 * A real Supabase as a TestStack. With SUPABASE_TEST_DB_URL the fixture project is loaded first
 * (its objects dropped and its migrations, buckets and seed applied, like `supabase db reset`),
 * and `db` runs SQL there; user tokens are HS256, signed with SUPABASE_TEST_JWT_SECRET (the CLI's
 * well-known secret by default). Internals (data dir, ES256 key) throw when touched.
 */
async function connectRemote(projectDir: string): Promise<TestStack> {
	const url = process.env.SUPABASE_TEST_URL!.replace(/\/+$/, '');
	const publishable = process.env.SUPABASE_TEST_PUBLISHABLE_KEY!;
	const secret = process.env.SUPABASE_TEST_SECRET_KEY!;
	const dbUrl = process.env.SUPABASE_TEST_DB_URL;
	const db: Database = dbUrl ? await openDatabase({ url: dbUrl }) : noDatabase();
	if (dbUrl) {
		await loadFixture(db, projectDir);
		await waitForSchema(url, secret, projectDir);
	}
	const hmac = new TextEncoder().encode(process.env.SUPABASE_TEST_JWT_SECRET ?? JWT_SECRET);
	const keys: Keys = {
		jwks: { keys: [] },
		signAccessToken: (claims: JwtClaims, expiresInSeconds: number) => {
			const now = Math.floor(Date.now() / 1000);
			return new SignJWT(claims)
				.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
				.setIssuedAt(now)
				.setExpirationTime(now + expiresInSeconds)
				.sign(hmac);
		},
		verify: () => Promise.reject(new Error(REMOTE_SKIP.internals))
	};
	const context = {
		db,
		keys,
		url,
		projectDir,
		log: () => {},
		get dataDir(): string {
			throw new Error(REMOTE_SKIP.files);
		}
	} as StackContext;
	return {
		kind: 'remote',
		url,
		db,
		keys: { anon: publishable, serviceRole: secret, publishable, secret },
		stack: context,
		async reloadSchemaCache() {
			await db.query(`notify pgrst, 'reload schema'`);
			await waitForSchema(url, secret, projectDir);
		},
		close: () => db.close()
	};
}

function noDatabase(): Database {
	const fail = () => Promise.reject(new Error(REMOTE_SKIP.db));
	return {
		kind: 'postgres',
		query: fail,
		exec: fail,
		transaction: fail,
		listen: fail,
		close: () => Promise.resolve()
	};
}

/**
 * Replaces whatever the test database holds with the fixture: drops every object in `public` and
 * the fixture's other API schemas, storage policies, objects, buckets and users, then applies the
 * migrations, the buckets of config.toml and the seed. Never point it at data you want to keep.
 */
async function loadFixture(db: Database, projectDir: string): Promise<void> {
	const config = loadProjectConfig(projectDir);
	const extraSchemas = (config.api?.schemas ?? []).filter(
		(s) => !['public', 'graphql_public', 'storage', 'auth'].includes(s)
	);
	// Transaction-local: the pooled connection must not keep the permission for later tests.
	const reset = `
		select set_config('storage.allow_delete_query', 'true', true);
		delete from storage.objects;
		delete from storage.buckets;
		delete from auth.users;
		${extraSchemas.map((s) => `drop schema if exists "${s.replaceAll('"', '""')}" cascade;`).join('\n')}
		do $$
		declare r record;
		begin
			for r in select format('drop policy %I on storage.objects', policyname) as s
				from pg_policies where schemaname = 'storage' and tablename = 'objects' loop
				execute r.s;
			end loop;
			for r in select format('drop view if exists public.%I cascade', viewname) as s
				from pg_views where schemaname = 'public' loop
				execute r.s;
			end loop;
			for r in select format('drop materialized view if exists public.%I cascade', matviewname) as s
				from pg_matviews where schemaname = 'public' loop
				execute r.s;
			end loop;
			for r in select format('drop table if exists public.%I cascade', tablename) as s
				from pg_tables where schemaname = 'public' loop
				execute r.s;
			end loop;
			for r in select format('drop routine if exists %s cascade', p.oid::regprocedure) as s
				from pg_proc p where p.pronamespace = 'public'::regnamespace loop
				execute r.s;
			end loop;
			for r in select format('drop type if exists public.%I cascade', t.typname) as s
				from pg_type t
				where t.typnamespace = 'public'::regnamespace and t.typtype in ('e', 'c', 'd', 'r')
					and (t.typrelid = 0 or (select relkind from pg_class where oid = t.typrelid) = 'c') loop
				execute r.s;
			end loop;
			for r in select format('drop sequence if exists public.%I cascade', sequencename) as s
				from pg_sequences where schemaname = 'public' loop
				execute r.s;
			end loop;
		end $$;
	`;
	await db.transaction((tx) => tx.exec(reset));
	const migrations = join(projectDir, 'migrations');
	let files: string[] = [];
	try {
		files = readdirSync(migrations)
			.filter((f) => f.endsWith('.sql'))
			.sort();
	} catch {
		// a project without migrations
	}
	for (const file of files) {
		const sql = readFileSync(join(migrations, file), 'utf8');
		await db.transaction((tx) => tx.exec(sql));
	}
	for (const [id, bucket] of Object.entries(config.storage?.buckets ?? {}))
		await db.query(
			`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
			values ($1, $1, $2, $3, $4)`,
			[
				id,
				Boolean(bucket.public),
				parseSize(bucket.file_size_limit) ?? null,
				bucket.allowed_mime_types ?? null
			]
		);
	if (config.db?.seed?.enabled !== false) {
		for (const path of config.db?.seed?.sql_paths ?? ['./seed.sql']) {
			let sql: string;
			try {
				sql = readFileSync(join(projectDir, path), 'utf8');
			} catch {
				continue;
			}
			await db.transaction((tx) => tx.exec(sql));
		}
	}
	await db.query(`notify pgrst, 'reload schema'`);
}

/** PostgREST reloads asynchronously: wait until the fixture's first table answers. */
async function waitForSchema(url: string, secret: string, projectDir: string): Promise<void> {
	const table = firstTable(projectDir);
	if (!table) return;
	for (let attempt = 0; attempt < 100; attempt++) {
		const response = await fetch(`${url}/rest/v1/${table}?limit=0`, {
			headers: { apikey: secret }
		});
		await response.arrayBuffer();
		if (response.status !== 404) return;
		await new Promise((done) => setTimeout(done, 100));
	}
	throw new Error(`the remote REST service never showed public.${table}`);
}

function firstTable(projectDir: string): string | null {
	try {
		const migrations = join(projectDir, 'migrations');
		for (const file of readdirSync(migrations).sort()) {
			const match =
				/create\s+table\s+(?:if\s+not\s+exists\s+)?(?:public\.)?"?([a-z_][a-z0-9_]*)"?\s*\(/i.exec(
					readFileSync(join(migrations, file), 'utf8')
				);
			if (match) return match[1];
		}
	} catch {
		// no migrations
	}
	return null;
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}
