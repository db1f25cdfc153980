/**
 * Writes through the REST service with the unmodified supabase-js: insert, bulk insert, defaults,
 * upsert, filtered update/delete, representation and headers, and the RLS outcomes of each.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { ALICE, BOB, REST_PROJECT, rest, restClient, userToken } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST writes (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;
	let alice: SupabaseClient;
	let bob: SupabaseClient;
	let service: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_PROJECT, kind });
		anon = restClient(stack);
		alice = restClient(stack, { token: await userToken(stack, ALICE) });
		bob = restClient(stack, { token: await userToken(stack, BOB) });
		service = restClient(stack, { key: stack.keys.secret });
	});
	afterAll(() => stack?.close());

	const item = async (id: number) =>
		(await service.from('items').select('id, name, qty, note').eq('id', id).maybeSingle()).data;

	it('inserts without returning anything unless asked: 201 and no body', async () => {
		const result = await anon.from('items').insert({ id: 10, name: 'hoop' });
		expect(result.status).toBe(201);
		expect(result.data).toBeNull();
		expect(result.error).toBeNull();
		expect(await item(10)).toEqual({ id: 10, name: 'hoop', qty: 5, note: null });
	});

	it('returns the inserted row shaped by select, with embeds, and single() gives the object', async () => {
		const { data, status } = await alice
			.from('posts')
			.insert({ author_id: ALICE, title: 'Fresh', tags: ['new'], meta: { a: [1, 2] } })
			.select('id, title, tags, meta, status, author:profiles!author_id(username)')
			.single();
		expect(status).toBe(201);
		expect(data).toMatchObject({
			title: 'Fresh',
			tags: ['new'],
			meta: { a: [1, 2] },
			status: 'draft',
			author: { username: 'alice' }
		});
		expect(typeof (data as { id: unknown }).id).toBe('number');
	});

	it('bulk-inserts with columns, NULL for missing keys by default and DEFAULT with defaultToNull: false', async () => {
		const nulls = await anon
			.from('items')
			.insert([
				{ id: 20, name: 'a', qty: 1 },
				{ id: 21, name: 'b', note: 'x' }
			])
			.select('id, qty, note');
		expect(nulls.error?.code).toBe('23502');
		const { data, error } = await anon
			.from('items')
			.insert(
				[
					{ id: 20, name: 'a', qty: 1 },
					{ id: 21, name: 'b', note: 'x' }
				],
				{ defaultToNull: false }
			)
			.select('id, qty, note')
			.order('id');
		expect(error).toBeNull();
		expect(data).toEqual([
			{ id: 20, qty: 1, note: null },
			{ id: 21, qty: 5, note: 'x' }
		]);
	});

	it('upserts: merge on the primary key or on_conflict, or ignore duplicates', async () => {
		const merged = await anon
			.from('items')
			.upsert({ id: 1, name: 'needle', qty: 42 })
			.select('id, qty');
		expect(merged.data).toEqual([{ id: 1, qty: 42 }]);
		// Only an existing row was merged: 200, as PostgREST answers; inserting one is 201.
		expect(merged.status).toBe(200);
		const created = await anon.from('items').upsert({ id: 31, name: 'tape' });
		expect(created.status).toBe(201);
		const mixed = await anon.from('items').upsert([
			{ id: 31, name: 'tape' },
			{ id: 32, name: 'chalk' }
		]);
		expect(mixed.status).toBe(201);
		const again = await anon.from('items').upsert({ id: 32, name: 'chalk' });
		expect(again.status).toBe(200);
		const byName = await anon
			.from('items')
			.upsert({ id: 1, name: 'needle', note: 'sharp' }, { onConflict: 'name' })
			.select('id, note');
		expect(byName.data).toEqual([{ id: 1, note: 'sharp' }]);
		const ignored = await anon
			.from('items')
			.upsert(
				[
					{ id: 2, name: 'thread', qty: 0 },
					{ id: 30, name: 'wax', qty: 1 }
				],
				{ ignoreDuplicates: true }
			)
			.select('id');
		expect(ignored.data).toEqual([{ id: 30 }]);
		expect((await item(2))?.qty).toBe(3);
	});

	it('maps constraint errors: 23505 is 409, unknown columns PGRST204, bad JSON PGRST102', async () => {
		const duplicate = await anon.from('items').insert({ id: 1, name: 'again' });
		expect(duplicate.status).toBe(409);
		expect(duplicate.error?.code).toBe('23505');
		const unknown = await anon.from('items').insert({ id: 99, name: 'x', colour: 'red' });
		expect(unknown.status).toBe(400);
		expect(unknown.error).toMatchObject({
			code: 'PGRST204',
			message: "Could not find the 'colour' column of 'items' in the schema cache"
		});
		const invalid = await rest(stack, '/items', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '{oops'
		});
		expect(invalid.status).toBe(400);
		expect((await invalid.json()).code).toBe('PGRST102');
		const foreign = await service
			.from('comments')
			.insert({ post_id: 9999, author_id: ALICE, body: 'x' });
		expect(foreign.status).toBe(409);
		expect(foreign.error?.code).toBe('23503');
	});

	it('enforces INSERT policies: 401 for anon, 403 for another user, allowed for the owner', async () => {
		const forAnon = await anon.from('notes').insert({ body: 'hi', owner_id: ALICE });
		expect(forAnon.status).toBe(401);
		expect(forAnon.error).toMatchObject({
			code: '42501',
			message: 'new row violates row-level security policy for table "notes"'
		});
		const forBob = await bob.from('notes').insert({ body: 'hi', owner_id: ALICE });
		expect(forBob.status).toBe(403);
		const own = await alice
			.from('notes')
			.insert({ body: 'mine' })
			.select('body, owner_id')
			.single();
		expect(own.data).toEqual({ body: 'mine', owner_id: ALICE });
	});

	it('checks SELECT policies only when the written row is returned', async () => {
		// Bob may insert his draft but the policy lets him read it; a post for alice fails WITH CHECK.
		const minimal = await bob.from('posts').insert({ author_id: BOB, title: 'Quiet draft' });
		expect(minimal.status).toBe(201);
		const forged = await bob.from('posts').insert({ author_id: ALICE, title: 'Forged' }).select();
		expect(forged.status).toBe(403);
	});

	it('updates only filtered rows visible under RLS, 204 or 200 with representation', async () => {
		const plain = await anon.from('items').update({ note: 'blue' }).eq('id', 2);
		expect(plain.status).toBe(204);
		expect((await item(2))?.note).toBe('blue');
		const returned = await anon
			.from('items')
			.update({ qty: 7 })
			.in('id', [2, 10])
			.select('id, qty')
			.order('id');
		expect(returned.status).toBe(200);
		expect(returned.data).toEqual([
			{ id: 2, qty: 7 },
			{ id: 10, qty: 7 }
		]);
		const foreign = await alice.from('posts').update({ title: 'hijack' }).eq('id', 3).select('id');
		expect(foreign.data).toEqual([]);
		expect((await service.from('posts').select('title').eq('id', 3).single()).data).toEqual({
			title: 'Blue flowers'
		});
	});

	it('counts affected rows and sets Content-Range on update and delete', async () => {
		const updated = await rest(stack, '/items?id=in.(2,10)', {
			method: 'PATCH',
			headers: { 'Content-Type': 'application/json', Prefer: 'count=exact' },
			body: JSON.stringify({ qty: 8 })
		});
		expect(updated.status).toBe(204);
		expect(updated.headers.get('content-range')).toBe('0-1/2');
		const { count, status } = await anon.from('items').delete({ count: 'exact' }).eq('id', 30);
		expect(status).toBe(204);
		expect(count).toBe(1);
	});

	it('refuses unfiltered update and delete as hosted Supabase does', async () => {
		const update = await anon.from('items').update({ qty: 0 });
		expect(update.status).toBe(400);
		expect(update.error).toMatchObject({
			code: '21000',
			message: 'UPDATE requires a WHERE clause'
		});
		const remove = await anon.from('items').delete();
		expect(remove.status).toBe(400);
		expect(remove.error).toMatchObject({
			code: '21000',
			message: 'DELETE requires a WHERE clause'
		});
		expect(
			(await service.from('items').select('id', { count: 'exact', head: true })).count
		).toBeGreaterThan(2);
	});

	it('deletes silently nothing that RLS hides, and returns deleted rows when asked', async () => {
		const hidden = await alice.from('posts').delete().eq('id', 3).select('id');
		expect(hidden.data).toEqual([]);
		const { data } = await alice
			.from('posts')
			.insert({ author_id: ALICE, title: 'Temp' })
			.select('id')
			.single();
		const removed = await alice
			.from('posts')
			.delete()
			.eq('id', (data as { id: number }).id)
			.select('title');
		expect(removed.status).toBe(200);
		expect(removed.data).toEqual([{ title: 'Temp' }]);
	});

	it('rolls back a singular mutation that touches more than one row', async () => {
		const result = await anon
			.from('items')
			.update({ note: 'many' })
			.in('id', [1, 2])
			.select()
			.single();
		expect(result.status).toBe(406);
		expect(result.error?.code).toBe('PGRST116');
		expect((await item(1))?.note).not.toBe('many');
	});

	it('rolls back when max-affected is exceeded', async () => {
		// What `.maxAffected(1)` sends (its type is gated on a PostgREST 13 client schema).
		const response = await rest(stack, '/items?id=in.(1,2)', {
			method: 'PATCH',
			headers: { 'Content-Type': 'application/json', Prefer: 'handling=strict, max-affected=1' },
			body: JSON.stringify({ note: 'capped' })
		});
		expect(response.status).toBe(400);
		expect((await response.json()).code).toBe('PGRST124');
		expect((await item(1))?.note).not.toBe('capped');
	});

	it('reports the applied upsert preferences', async () => {
		const response = await rest(stack, '/items?columns="id","name"', {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Prefer: 'resolution=ignore-duplicates, missing=default'
			},
			body: JSON.stringify([{ id: 1, name: 'needle' }])
		});
		expect(response.status).toBe(201);
		expect(response.headers.get('preference-applied')).toBe(
			'resolution=ignore-duplicates, missing=default'
		);
	});

	it('answers return=headers-only with a Location header', async () => {
		const response = await rest(stack, '/items', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Prefer: 'return=headers-only' },
			body: JSON.stringify({ id: 40, name: 'thimble' })
		});
		expect(response.status).toBe(201);
		expect(response.headers.get('location')).toBe('/items?id=eq.40');
		expect(await response.text()).toBe('');
	});

	it('writes into another exposed schema by Content-Profile', async () => {
		const extra = restClient(stack, { schema: 'extra', key: stack.keys.secret });
		const result = await extra.from('widgets').select('id');
		expect(result.data).toEqual([{ id: 1 }]);
		const denied = await restClient(stack, { schema: 'extra' })
			.from('widgets')
			.insert({ id: 2, label: 'x' });
		expect(denied.status).toBe(401);
		expect(denied.error?.code).toBe('42501');
	});

	it('limits request bodies to 10 MB', async () => {
		const response = await rest(stack, '/items', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ id: 50, name: 'big', note: 'x'.repeat(11 * 1024 * 1024) })
		});
		expect(response.status).toBe(413);
	});
});
