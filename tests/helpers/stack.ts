/**
 * Starts a throw-away local stack for a test file: PGlite in memory by default, or a fresh database
 * on the real Postgres server named by TEST_DATABASE_URL (`TEST_DB=postgres` picks it when both
 * exist). Each call gets its own database, data folder and port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import {
	startStack,
	type RunningStack,
	type StackOptions
} from '../../supabase/local/src/stack.ts';

export type TestDbKind = 'pglite' | 'postgres';

/** The database kinds this run covers: PGlite always, Postgres too when TEST_DATABASE_URL is set. */
export function testDbKinds(): TestDbKind[] {
	return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestStack extends RunningStack {
	kind: TestDbKind;
}

export async function startTestStack(
	options: StackOptions & { kind?: TestDbKind } = {}
): Promise<TestStack> {
	const kind = options.kind ?? 'pglite';
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

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}
