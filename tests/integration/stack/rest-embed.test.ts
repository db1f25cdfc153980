/**
 * Embedding as PostgREST 14 resolves and renders it, through the unmodified supabase-js: inner and
 * left joins on one-to-one and nullable keys, nested embeds, fields before embeds, embedded values
 * as jsonb, duplicate names, several keys to one table and a self-referencing key.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { REST_EMBED_PROJECT, rest, restClient } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST embedding (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_EMBED_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	it('fills nested !inner embeds and drops the rows they do not reach', async () => {
		const { data, error } = await anon
			.from('notes')
			.select('id, studios!inner(slug, studio_details!inner(details))')
			.order('id');
		expect(error).toBeNull();
		expect(data).toEqual([
			{ id: 1, studios: { slug: 'north', studio_details: { details: 'North studio, two looms' } } },
			{
				id: 2,
				studios: { slug: 'south', studio_details: { details: 'South studio, dye kitchen' } }
			}
		]);
		const { data: rooms } = await anon
			.from('bookings')
			.select('id, rooms!inner(id, name)')
			.order('id');
		expect(rooms).toEqual([
			{ id: 1, rooms: { id: 1, name: 'Loom room' } },
			{ id: 3, rooms: { id: 2, name: 'Dye kitchen' } },
			{ id: 4, rooms: { id: 3, name: null } }
		]);
	});

	it('embeds a one-to-one relationship as an object from both sides, also with !left', async () => {
		const { data: details } = await anon
			.from('studio_details')
			.select('id, studios!left(id, slug)')
			.order('id')
			.limit(1)
			.single();
		expect(details).toEqual({ id: 1, studios: { id: 1, slug: 'north' } });
		const { data: studios } = await anon
			.from('studios')
			.select('slug, studio_details(details)')
			.order('id');
		expect(studios).toEqual([
			{ slug: 'north', studio_details: { details: 'North studio, two looms' } },
			{ slug: 'south', studio_details: { details: 'South studio, dye kitchen' } },
			{ slug: 'east', studio_details: null }
		]);
	});

	it('nests to-many and to-one embeds', async () => {
		const { data } = await anon
			.from('makers')
			.select('username, notes(id, studios(slug))')
			.in('username', ['bea', 'cleo'])
			.order('username');
		expect(data).toEqual([
			{ username: 'bea', notes: [{ id: 4, studios: { slug: 'east' } }] },
			{ username: 'cleo', notes: [] }
		]);
	});

	it('selects fields before embeds, so an embed wins over a column of its name', async () => {
		const { data } = await anon
			.from('collections')
			.select('parent_id(label), *')
			.eq('id', 2)
			.single();
		expect(data).toEqual({ id: 2, label: 'Child of root', parent_id: { label: 'Root' } });
		const raw = await rest(stack, '/collections?select=parent_id(label),id&id=eq.2');
		expect(await raw.text()).toBe('[{"id":2,"parent_id":{"label": "Root"}}]');
	});

	it('renders embedded values as jsonb and keeps a column named twice', async () => {
		const top = await rest(stack, '/studios?select=id,id,slug&id=eq.1');
		expect(await top.text()).toBe('[{"id":1,"id":1,"slug":"north"}]');
		const embedded = await rest(stack, '/notes?select=id,studios(slug,id,id)&id=eq.1');
		expect(await embedded.text()).toBe('[{"id":1,"studios":{"id": 1, "slug": "north"}}]');
		const many = await rest(stack, '/studios?select=id,notes(body,id)&id=eq.3');
		expect(await many.text()).toBe(
			'[{"id":3,"notes":[{"id": 3, "body": "East has no details"}, {"id": 4, "body": "Second note in the east"}]}]'
		);
	});

	it('joins an embed with no fields without adding a key', async () => {
		const { data } = await anon
			.from('makers')
			.select('username, notes!inner(studios())')
			.eq('notes.studio_id', 3)
			.order('username');
		expect(data).toEqual([{ username: 'ada' }, { username: 'bea' }]);
	});

	it('tells several keys to one table apart by hints and aliases', async () => {
		const { data, error } = await anon
			.from('pairings')
			.select(
				'id, first:makers!pairings_first_maker_fkey(username), second:makers!second_maker(username), mentor:makers!mentor(username)'
			)
			.order('id');
		expect(error).toBeNull();
		expect(data).toEqual([
			{
				id: 1,
				first: { username: 'ada' },
				second: { username: 'bea' },
				mentor: { username: 'cleo' }
			},
			{ id: 2, first: { username: 'ada' }, second: { username: 'cleo' }, mentor: null }
		]);
		const { data: reverse } = await anon
			.from('makers')
			.select('username, mentoring:pairings!mentor(id), paired:pairings!first_maker(id)')
			.eq('username', 'ada')
			.single();
		expect(reverse).toEqual({ username: 'ada', mentoring: [], paired: [{ id: 1 }, { id: 2 }] });
	});

	it("answers PGRST201 without a hint, listing every key in PostgREST's order", async () => {
		const { error, status } = await anon.from('pairings').select('id, makers(username)');
		expect(status).toBe(300);
		expect(error).toEqual({
			code: 'PGRST201',
			details: [
				{
					cardinality: 'many-to-one',
					embedding: 'pairings with makers',
					relationship: 'pairings_first_maker_fkey using pairings(first_maker) and makers(username)'
				},
				{
					cardinality: 'many-to-one',
					embedding: 'pairings with makers',
					relationship: 'pairings_mentor_fkey using pairings(mentor) and makers(username)'
				},
				{
					cardinality: 'many-to-one',
					embedding: 'pairings with makers',
					relationship:
						'pairings_second_maker_fkey using pairings(second_maker) and makers(username)'
				}
			],
			hint: "Try changing 'makers' to one of the following: 'makers!pairings_first_maker_fkey', 'makers!pairings_mentor_fkey', 'makers!pairings_second_maker_fkey'. Find the desired relationship in the 'details' key.",
			message:
				"Could not embed because more than one relationship was found for 'pairings' and 'makers'"
		});
	});

	it('refuses one destination embedded twice without aliases, as Postgres does behind PostgREST', async () => {
		const { data, error, status } = await anon
			.from('pairings')
			.select('makers!first_maker(username), makers!second_maker(username)');
		expect(data).toBeNull();
		expect(status).toBe(400);
		expect(error).toEqual({
			code: '42712',
			details: null,
			hint: null,
			message: 'table name "pairings_makers_1" specified more than once'
		});
	});

	it('resolves a self-referencing key by the table name, the column, or the table with the column as hint', async () => {
		const { data: children } = await anon
			.from('collections')
			.select('id, collections(id)')
			.lte('id', 2)
			.order('id');
		expect(children).toEqual([
			{ id: 1, collections: [{ id: 2 }, { id: 3 }] },
			{ id: 2, collections: [{ id: 4 }] }
		]);
		const { data: hinted } = await anon
			.from('collections')
			.select('id, children:collections!parent_id(id)')
			.eq('id', 1)
			.single();
		expect(hinted).toEqual({ id: 1, children: [{ id: 2 }, { id: 3 }] });
		const { data: parent } = await anon
			.from('collections')
			.select('id, parent:parent_id(label)')
			.in('id', [1, 4])
			.order('id');
		expect(parent).toEqual([
			{ id: 1, parent: null },
			{ id: 4, parent: { label: 'Child of root' } }
		]);
	});

	it('answers PGRST200 for a self-referencing key named by its constraint', async () => {
		const hinted = await anon
			.from('collections')
			.select('*, collections!collections_parent_id_fkey(*)');
		expect(hinted.status).toBe(400);
		expect(hinted.error).toEqual({
			code: 'PGRST200',
			details:
				"Searched for a foreign key relationship between 'collections' and 'collections' using the hint 'collections_parent_id_fkey' in the schema 'public', but no matches were found.",
			hint: null,
			message:
				"Could not find a relationship between 'collections' and 'collections' in the schema cache"
		});
		const named = await anon.from('collections').select('id, collections_parent_id_fkey(id)');
		expect(named.status).toBe(400);
		expect(named.error?.code).toBe('PGRST200');
		expect(named.error?.details).toBe(
			"Searched for a foreign key relationship between 'collections' and 'collections_parent_id_fkey' in the schema 'public', but no matches were found."
		);
	});

	it('hints a many-to-many relationship by its junction, not by a key of the junction', async () => {
		const { data } = await anon
			.from('kits')
			.select('name, threads!kit_threads(name)')
			.eq('id', 2)
			.order('name', { referencedTable: 'threads' })
			.single();
		expect(data).toEqual({
			name: 'Deluxe',
			threads: [{ name: 'Linen' }, { name: 'Silk' }, { name: 'Wool' }]
		});
		const byKey = await anon.from('kits').select('name, threads!kit_threads_thread_id_fkey(name)');
		expect(byKey.status).toBe(400);
		expect(byKey.error?.code).toBe('PGRST200');
	});
	it('spreads a to-one embed, also nested, into the parent', async () => {
		const { data } = await anon
			.from('notes')
			.select('id, ...studios(slug, ...studio_details(details))')
			.lte('id', 3)
			.order('id');
		expect(data).toEqual([
			{ id: 1, slug: 'north', details: 'North studio, two looms' },
			{ id: 2, slug: 'south', details: 'South studio, dye kitchen' },
			{ id: 3, slug: 'east', details: null }
		]);
	});

	it('spreads a to-many embed as one array per key, as PostgREST 14 does', async () => {
		const { data, error } = await anon
			.from('studios')
			.select('id, ...notes(note_id:id, body)')
			.order('id');
		expect(error).toBeNull();
		expect(data).toEqual([
			{ id: 1, note_id: [1], body: ['Warp is on'] },
			{ id: 2, note_id: [2], body: ['Indigo vat ready'] },
			{ id: 3, note_id: [3, 4], body: ['East has no details', 'Second note in the east'] }
		]);
		const { data: empty } = await anon
			.from('makers')
			.select('username, ...notes(id)')
			.eq('username', 'cleo')
			.single();
		expect(empty).toEqual({ username: 'cleo', id: [] });
		const { data: inner } = await anon
			.from('makers')
			.select('username, ...notes!inner(studio_id)')
			.order('username');
		expect(inner).toEqual([
			{ username: 'ada', studio_id: [1, 2, 3] },
			{ username: 'bea', studio_id: [3] }
		]);
	});

	it('spreads a many-to-many embed in the order asked of it', async () => {
		const { data } = await anon
			.from('kits')
			.select('name, ...threads(thread:name)')
			.order('name', { referencedTable: 'threads', ascending: false })
			.order('id');
		expect(data).toEqual([
			{ name: 'Starter', thread: ['Linen'] },
			{ name: 'Deluxe', thread: ['Wool', 'Silk', 'Linen'] }
		]);
		const raw = await rest(stack, '/kits?select=id,...threads(name)&id=eq.1');
		expect(await raw.text()).toBe('[{"id":1,"name":["Linen"]}]');
	});
});
