/**
 * The state several app instances share (migration 20261206100000_shared_limits.sql), called as the
 * app calls it: supabase-js with the secret key against the local stack, on PGlite and Postgres.
 * Token buckets allow a burst, refuse, refill and stay atomic under parallel calls; a run lease
 * admits one caller; the page cache version moves on a bump and when a published piece changes;
 * nobody but the service role may call any of it.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { PIECES, attempt, type Caller } from './support.ts';

const rule = (capacity: number, refill = 1) => ({
	p_capacity: capacity,
	p_refill_per_minute: refill
});

describe.each(testDbKinds())('shared limits on %s', (kind) => {
	let stack: TestStack;
	let server: SupabaseClient;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
		server = createClient(stack.url, stack.keys.secret, { auth: { persistSession: false } });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const take = async (client: string, capacity: number, name = 'join') => {
		const { data, error } = await server.rpc('take_rate_limit', {
			p_name: name,
			p_client: client,
			...rule(capacity)
		});
		if (error) throw new Error(error.message);
		return data as boolean;
	};

	it('allows a burst up to the capacity, then refuses until tokens come back', async () => {
		const client = `203.0.113.${kind.length}`;
		const burst = [];
		for (let i = 0; i < 4; i++) burst.push(await take(client, 3));
		expect(burst).toEqual([true, true, true, false]);
		// Half a minute later (the bucket's clock moved back): half a token, still refused.
		await stack.db.exec(
			`update private.rate_buckets set updated_at = updated_at - interval '30 seconds' where client = '${client}'`
		);
		expect(await take(client, 3)).toBe(false);
		await stack.db.exec(
			`update private.rate_buckets set updated_at = updated_at - interval '31 seconds' where client = '${client}'`
		);
		expect(await take(client, 3)).toBe(true);
		expect(await take(client, 3)).toBe(false);
	});

	it('keeps clients and limit names apart', async () => {
		for (let i = 0; i < 2; i++) await take('198.51.100.1', 2);
		expect(await take('198.51.100.1', 2)).toBe(false);
		expect(await take('198.51.100.2', 2)).toBe(true);
		expect(await take('198.51.100.1', 2, 'ticket')).toBe(true);
	});

	it('gives exactly the capacity to parallel callers', async () => {
		const results = await Promise.all(Array.from({ length: 25 }, () => take('192.0.2.77', 10)));
		expect(results.filter(Boolean)).toHaveLength(10);
	});

	it('refuses a rule without tokens and a malformed bucket name', async () => {
		const bad = await server.rpc('take_rate_limit', { p_name: 'join', p_client: 'x', ...rule(0) });
		expect(bad.error?.code).toBe('22023');
		const name = await server.rpc('take_rate_limit', {
			p_name: 'Join!',
			p_client: 'x',
			...rule(3)
		});
		expect(name.error?.code).toBe('23514');
	});

	it('admits one run per key until it ends or its lease expires, and lets the holder renew', async () => {
		const [first, second] = [crypto.randomUUID(), crypto.randomUUID()];
		const begin = async (key: string, holder: string, seconds = 60) =>
			(await server.rpc('begin_single_run', { p_key: key, p_holder: holder, p_seconds: seconds }))
				.data;
		const parallel = await Promise.all(
			Array.from({ length: 6 }, () => begin('user/upload-1', crypto.randomUUID()))
		);
		expect(parallel.filter((admitted) => admitted === true)).toHaveLength(1);
		expect(await begin('user/upload-2', first)).toBe(true);
		expect(await begin('user/upload-2', first)).toBe(true);
		expect(await begin('user/upload-2', second)).toBe(false);
		// Only the holder ends it.
		await server.rpc('end_single_run', { p_key: 'user/upload-2', p_holder: second });
		expect(await begin('user/upload-2', second)).toBe(false);
		await server.rpc('end_single_run', { p_key: 'user/upload-2', p_holder: first });
		expect(await begin('user/upload-2', second)).toBe(true);
		// A crashed run: its lease ran out, so the upload can be processed again.
		await stack.db.exec(
			`update private.run_leases set expires_at = now() - interval '1 second' where key = 'user/upload-2'`
		);
		expect(await begin('user/upload-2', first)).toBe(true);
		expect(await begin('user/upload-2', second)).toBe(false);
	});

	it('moves the page cache version on a bump and when a published piece leaves the gallery', async () => {
		const version = async () => Number((await server.rpc('page_cache_version')).data);
		const start = await version();
		const bumped = await server.rpc('bump_page_cache_version');
		expect(Number(bumped.data)).toBe(start + 1);
		expect(await version()).toBe(start + 1);
		// Beside the app: an owner's SQL withdrawing a published piece bumps it as well.
		await stack.db.exec(
			`update public.pieces set status = 'withdrawn' where id = '${PIECES.publishedNeustadt}'`
		);
		expect(await version()).toBe(start + 2);
		// A change to an unpublished piece does not.
		await stack.db.exec(
			`update public.pieces set updated_at = now() where id = '${PIECES.submittedJohannstadt}'`
		);
		expect(await version()).toBe(start + 2);
	});

	it.each<Caller>(['anon', 'participantA', 'moderator', 'admin'])(
		'%s may call none of it',
		async (caller) => {
			for (const sql of [
				`select public.take_rate_limit('join', 'x', 3, 1)`,
				`select public.begin_single_run('k', gen_random_uuid(), 10)`,
				`select public.end_single_run('k', gen_random_uuid())`,
				`select public.page_cache_version()`,
				`select public.bump_page_cache_version()`,
				`select public.sweep_shared_limits()`,
				`select * from private.rate_buckets`
			]) {
				const outcome = await attempt(stack, caller, (tx) => tx.query(sql));
				expect(outcome, sql).toMatchObject({ ok: false, code: '42501' });
			}
		}
	);

	it('sweeps buckets idle for an hour and expired leases', async () => {
		await take('192.0.2.200', 3);
		await stack.db.exec(
			`update private.rate_buckets set updated_at = now() - interval '2 hours' where client = '192.0.2.200'`
		);
		const { data } = await server.rpc('sweep_shared_limits');
		expect(Number(data)).toBeGreaterThanOrEqual(1);
		const { rows } = await stack.db.query(
			`select 1 from private.rate_buckets where client = '192.0.2.200'`
		);
		expect(rows).toEqual([]);
	});
});
