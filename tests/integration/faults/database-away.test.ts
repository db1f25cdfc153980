/**
 * The stack when its Postgres goes away and comes back (a TCP fault proxy between them: new
 * connections refused and every open one cut, as a restarting server does): REST answers
 * PostgREST's 503 PGRST000, Storage and Auth a 503, the process survives the dropped connections
 * (unheard pool 'error' events would crash it), and once the database is reachable again every
 * service answers without a restart. Postgres only: PGlite runs inside the stack's process.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultStack, type FaultStack } from './support.ts';

describe.runIf(process.env.TEST_DATABASE_URL)('the database away and back (postgres)', () => {
	let fs: FaultStack;
	let admin: SupabaseClient;
	beforeAll(async () => {
		fs = await startFaultStack('postgres');
		// No retries: each call shows what the stack answered, at once.
		admin = createClient(fs.stack.url, fs.stack.keys.secret, {
			auth: { persistSession: false, autoRefreshToken: false },
			db: { retry: false }
		});
	});
	afterAll(async () => {
		fs?.db?.set('pass');
		await fs?.close();
	});

	const restRead = () => admin.from('pieces').select('id').limit(1);

	it('answers 503 while the database is away and recovers by itself', async () => {
		expect((await restRead()).error).toBeNull();
		expect((await admin.rpc('page_cache_version')).error).toBeNull();

		fs.db!.set('refuse');
		fs.db!.cutAll();

		const read = await restRead();
		expect(read.status).toBe(503);
		expect(read.error?.code).toBe('PGRST000');
		const call = await admin.rpc('page_cache_version');
		expect(call.status).toBe(503);
		const bucket = await admin.storage.getBucket('masters');
		expect((bucket.error as { status?: number } | null)?.status).toBe(503);
		const users = await admin.auth.admin.listUsers({ perPage: 1 });
		expect(users.error?.status).toBe(503);

		fs.db!.set('pass');
		await expect.poll(async () => (await restRead()).status, { timeout: 15_000 }).toBe(200);
		expect((await admin.storage.getBucket('masters')).error).toBeNull();
		expect((await admin.auth.admin.listUsers({ perPage: 1 })).error).toBeNull();
	});
});
