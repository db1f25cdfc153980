/**
 * A throw-away stack with fault proxies in front: an HTTP one before the stack (every client in
 * these tests talks to it) and, on Postgres, a TCP one between the stack and the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { SupabaseClient } from '@supabase/supabase-js';
import { expect } from 'vitest';
import { startStack } from '../../../supabase/local/src/stack.ts';
import {
	startHttpFaultProxy,
	startTcpFaultProxy,
	type HttpFaultProxy,
	type TcpFaultProxy
} from '../../helpers/fault-proxy.ts';
import type { TestDbKind, TestStack } from '../../helpers/stack.ts';
import { listAllObjects } from '../../../src/lib/server/participant/deletion.ts';

export interface FaultStack {
	/** The stack itself (direct URL): for checks that must not meet an injected fault. */
	stack: TestStack;
	/** The same stack seen through the HTTP fault proxy: give this one to the code under test. */
	proxied: TestStack;
	http: HttpFaultProxy;
	/** Between the stack and Postgres; null on PGlite, which runs inside the stack's process. */
	db: TcpFaultProxy | null;
	close(): Promise<void>;
}

async function withAdmin(url: string, sql: string): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

export async function startFaultStack(kind: TestDbKind): Promise<FaultStack> {
	const dataDir = mkdtempSync(join(tmpdir(), 'ct-faults-'));
	let db: TcpFaultProxy | null = null;
	let databaseUrl: string | undefined;
	let drop = async () => {};
	if (kind === 'postgres') {
		const adminUrl = process.env.TEST_DATABASE_URL;
		if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
		const name = `ct_faults_${process.pid}_${Date.now().toString(36)}`;
		await withAdmin(adminUrl, `create database ${name}`);
		drop = () => withAdmin(adminUrl, `drop database if exists ${name} with (force)`);
		const admin = new URL(adminUrl);
		db = await startTcpFaultProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
		const url = new URL(adminUrl);
		url.hostname = '127.0.0.1';
		url.port = String(db.port);
		url.pathname = `/${name}`;
		databaseUrl = url.toString();
	}
	const running = await startStack({
		projectDir: resolve('supabase'),
		port: 0,
		log: () => {},
		dataDir,
		databaseUrl,
		inMemory: kind === 'pglite'
	});
	const http = await startHttpFaultProxy(running.url);
	const stack: TestStack = { ...running, kind };
	return {
		stack,
		proxied: { ...stack, url: http.url },
		http,
		db,
		async close() {
			await http.close();
			await running.close();
			await db?.close();
			await drop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

type Variants = Record<string, Record<string, string>> | null;

/**
 * The invariants after a fault: every path a photo row of `userId` names exists in `masters`, and
 * (unless `allowOrphans`) every object under the user's `masters` folder is named by a row.
 */
export async function expectConsistent(
	admin: SupabaseClient,
	userId: string,
	{ allowOrphans = false } = {}
): Promise<{ orphans: string[] }> {
	const pieces = await admin.from('pieces').select('id').eq('maker_id', userId);
	if (pieces.error) throw pieces.error;
	const { data, error } = await admin
		.from('piece_photos')
		.select('master_path, variants')
		.in(
			'piece_id',
			pieces.data.map((p) => p.id as string)
		);
	if (error) throw error;
	const named = new Set<string>();
	for (const row of data as { master_path: string; variants: Variants }[]) {
		named.add(row.master_path);
		for (const byWidth of Object.values(row.variants ?? {})) {
			for (const path of Object.values(byWidth)) named.add(path);
		}
	}
	const stored = new Set(await listAllObjects(admin, 'masters', userId));
	const missing = [...named].filter((path) => !stored.has(path));
	expect(missing, 'rows pointing at missing objects').toEqual([]);
	const orphans = [...stored].filter((path) => !named.has(path));
	if (!allowOrphans) expect(orphans, 'objects no row names').toEqual([]);
	return { orphans };
}

/** Object names in the user's `originals` folder. */
export async function originals(admin: SupabaseClient, userId: string): Promise<string[]> {
	return (await listAllObjects(admin, 'originals', userId)).map((p) => p.split('/').pop()!);
}
