/**
 * Function calls, authentication and request context of the REST service: rpc over POST and GET,
 * result shapes, read-only transactions, JWT errors, and a user signed in through the auth service.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_SECRET } from '../../../supabase/local/src/core/keys.ts';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { ALICE, REST_PROJECT, rest, restClient, userToken } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST functions and auth (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;
	let alice: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_PROJECT, kind });
		anon = restClient(stack);
		alice = restClient(stack, { token: await userToken(stack, ALICE) });
	});
	afterAll(() => stack?.close());

	it('calls a scalar function with named arguments and defaults, over POST and GET', async () => {
		expect((await anon.rpc('add_numbers', { a: 1, b: 2 })).data).toBe(3);
		expect((await anon.rpc('add_numbers', { a: 1 })).data).toBe(11);
		expect((await anon.rpc('add_numbers', { a: 5 }, { get: true })).data).toBe(15);
	});

	it('returns rows of set-returning functions, with select, filters, order and RLS applied', async () => {
		const { data } = await anon
			.rpc('search_posts', { q: 'o' })
			.select('id, title')
			.order('id', { ascending: false });
		expect(data).toEqual([
			{ id: 3, title: 'Blue flowers' },
			{ id: 1, title: 'Hello world' }
		]);
		const { data: filtered } = await alice
			.rpc('search_posts', { q: 'a' })
			.select('id')
			.eq('status', 'draft');
		expect(filtered).toEqual([{ id: 2 }]);
		const { data: embedded } = await anon
			.rpc('search_posts', { q: 'Blue' })
			.select('id, author:profiles!author_id(username)');
		expect(embedded).toEqual([{ id: 3, author: { username: 'bob' } }]);
		const { data: one } = await anon.rpc('search_posts', { q: 'Hello' }).select('title').single();
		expect(one).toEqual({ title: 'Hello world' });
		const { data: counted, count } = await anon
			.rpc('search_posts', { q: 'o' }, { count: 'exact' })
			.select('id')
			.limit(1);
		expect(counted).toHaveLength(1);
		expect(count).toBe(2);
	});

	it('returns arrays of scalars, table results, single rows and nothing for void', async () => {
		expect((await anon.rpc('tag_names', {}, { get: true })).data).toEqual([
			'linen',
			'stitch',
			'wool'
		]);
		expect((await alice.rpc('post_stats')).data).toEqual([
			{ status: 'draft', total: 1 },
			{ status: 'published', total: 2 }
		]);
		const restocked = await anon.rpc('restock', { item_id: 1, amount: 2 });
		expect(restocked.data).toEqual({ id: 1, name: 'needle', qty: 12, note: null });
		const noop = await anon.rpc('noop');
		expect(noop.status).toBe(204);
		expect(noop.data).toBeNull();
	});

	it('passes a whole JSON body to a single unnamed json parameter', async () => {
		expect((await anon.rpc('echo', { list: [1, 'two'], nested: { ok: true } })).data).toEqual({
			list: [1, 'two'],
			nested: { ok: true }
		});
	});

	it('runs functions as the caller, and SECURITY DEFINER ones as their owner', async () => {
		expect((await alice.rpc('whoami')).data).toBe(ALICE);
		expect((await anon.rpc('whoami')).data).toBeNull();
		expect((await anon.rpc('count_all_posts')).data).toBe(4);
	});

	it('runs GET in a read-only transaction: a writing function answers 405', async () => {
		const result = await anon.rpc('restock', { item_id: 1 }, { get: true });
		expect(result.status).toBe(405);
		expect(result.error?.code).toBe('25006');
	});

	it('maps raise exception to 400 with its message, detail and hint', async () => {
		const { status, error } = await anon.rpc('fail_with', { msg: 'boom' });
		expect(status).toBe(400);
		expect(error).toMatchObject({
			code: 'P0001',
			message: 'boom',
			details: 'raised on purpose',
			hint: 'none'
		});
	});

	it('answers PGRST202 for unknown functions or argument names', async () => {
		const unknown = await anon.rpc('nope');
		expect(unknown.status).toBe(404);
		expect(unknown.error?.code).toBe('PGRST202');
		const wrongArgs = await anon.rpc('add_numbers', { x: 1 });
		expect(wrongArgs.status).toBe(404);
		expect(wrongArgs.error?.message).toBe(
			'Could not find the function public.add_numbers(x) in the schema cache'
		);
	});

	it('sets role, claims, method, path, headers and search_path like PostgREST', async () => {
		const client = createClient(stack.url, stack.keys.publishable, {
			auth: { persistSession: false, autoRefreshToken: false },
			global: {
				headers: { Authorization: `Bearer ${await userToken(stack, ALICE)}`, 'x-test': 'hello' }
			}
		});
		const { data } = await client.rpc('request_info', {}, { get: true });
		expect(data).toEqual({
			role: 'authenticated',
			method: 'GET',
			path: '/rpc/request_info',
			sub: ALICE,
			claims_role: 'authenticated',
			header: 'hello',
			read_only: 'on',
			search_path: '"public", "extensions"'
		});
		const posted = await anon.rpc('request_info');
		expect(posted.data).toMatchObject({
			role: 'anon',
			method: 'POST',
			claims_role: 'anon',
			sub: null,
			read_only: 'on'
		});
	});

	it('refuses expired and forged JWTs with 401 and WWW-Authenticate', async () => {
		const expired = await new SignJWT({ role: 'authenticated', sub: ALICE })
			.setProtectedHeader({ alg: 'HS256' })
			.setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
			.setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
			.sign(new TextEncoder().encode(JWT_SECRET));
		const response = await rest(stack, '/posts', {
			headers: { Authorization: `Bearer ${expired}` }
		});
		expect(response.status).toBe(401);
		expect(await response.json()).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });
		expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
		const forged = await new SignJWT({ role: 'service_role' })
			.setProtectedHeader({ alg: 'HS256' })
			.sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
		const forgedResponse = await rest(stack, '/secrets', {
			headers: { Authorization: `Bearer ${forged}` }
		});
		expect(forgedResponse.status).toBe(401);
		expect((await forgedResponse.json()).code).toBe('PGRST301');
		const garbage = await rest(stack, '/posts', { headers: { Authorization: 'Bearer not.a.jwt' } });
		expect(garbage.status).toBe(401);
	});

	it('refuses JWTs whose role is not an API role', async () => {
		const token = await stack.stack.keys.signAccessToken({ sub: ALICE, role: 'postgres' }, 600);
		const { status, error } = await restClient(stack, { token }).from('secrets').select();
		expect(status).toBe(401);
		expect(error?.message).toContain('postgres');
	});

	it('uses the session of a user signed in through the auth service', async () => {
		const client = createClient(stack.url, stack.keys.publishable, {
			auth: { persistSession: false, autoRefreshToken: false }
		});
		const email = `rest-${Date.now().toString(36)}@example.test`;
		const { data: signUp, error } = await client.auth.signUp({
			email,
			password: 'correct-horse-9'
		});
		expect(error).toBeNull();
		const userId = signUp.user?.id;
		const { data: note } = await client
			.from('notes')
			.insert({ body: 'from a session' })
			.select('owner_id, body')
			.single();
		expect(note).toEqual({ owner_id: userId, body: 'from a session' });
		expect((await client.rpc('whoami')).data).toBe(userId);
		const { data: others } = await alice
			.from('notes')
			.select('body')
			.eq('owner_id', userId as string);
		expect(others).toEqual([]);
	});

	it('refuses methods RPC does not take and paths it does not know', async () => {
		const response = await rest(stack, '/rpc/add_numbers', {
			method: 'PATCH',
			headers: { 'Content-Type': 'application/json' },
			body: '{}'
		});
		expect(response.status).toBe(405);
		expect((await response.json()).code).toBe('PGRST101');
		const path = await rest(stack, '/posts/1');
		expect(path.status).toBe(404);
		expect((await path.json()).code).toBe('PGRST125');
	});
});
