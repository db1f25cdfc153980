/**
 * Functions in select, as PostgREST 14 serves them: computed fields (a function taking the row
 * type, read through Postgres' attribute notation) and computed relationships (a function taking
 * the row type and returning rows of a table, SchemaCache.hs `allComputedRels`, embedded by the
 * function's name; to-one when it returns one row or is declared `rows 1`).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { FUNCTIONS_PROJECT, restClient } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST functions in select (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: FUNCTIONS_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	it('selects, filters and orders by a computed field', async () => {
		const { data } = await anon
			.from('artists')
			.select('id, name:full_name')
			.order('full_name', { ascending: false });
		expect(data).toEqual([
			{ id: 3, name: 'William Morris' },
			{ id: 2, name: 'Gunta Stölzl' },
			{ id: 1, name: 'Anni Albers' }
		]);
		const { data: one } = await anon
			.from('artists')
			.select('full_name')
			.eq('full_name', 'Anni Albers');
		expect(one).toEqual([{ full_name: 'Anni Albers' }]);
		const { data: works } = await anon
			.from('works')
			.select('title, age_at_work')
			.gte('age_at_work', 45)
			.order('id');
		expect(works).toEqual([
			{ title: 'Strawberry Thief', age_at_work: 49 },
			{ title: 'With Verticals', age_at_work: 47 },
			{ title: 'Six Prayers', age_at_work: 67 }
		]);
	});

	it('computes fields inside embeds too', async () => {
		const { data } = await anon
			.from('works')
			.select('title, artists(full_name)')
			.eq('id', 5)
			.single();
		expect(data).toEqual({
			title: 'Slit Tapestry Red-Green',
			artists: { full_name: 'Gunta Stölzl' }
		});
	});

	it('answers a missing field with the database error, 400 42703', async () => {
		const { status, error } = await anon.from('artists').select('id, created_ago');
		expect(status).toBe(400);
		expect(error).toMatchObject({
			code: '42703',
			message: 'column artists.created_ago does not exist'
		});
	});

	it('embeds a set-returning computed relationship as an array, with filters and order', async () => {
		const { data } = await anon.from('artists').select('id, early_works(title, made)').order('id');
		expect(data).toEqual([
			{ id: 1, early_works: [] },
			{ id: 2, early_works: [] },
			{
				id: 3,
				early_works: [
					{ title: 'Trellis', made: 1864 },
					{ title: 'Acanthus', made: 1875 },
					{ title: 'Strawberry Thief', made: 1883 }
				]
			}
		]);
		const { data: filtered } = await anon
			.from('artists')
			.select('id, early:early_works(title)')
			.eq('id', 3)
			.gt('early.made', 1870)
			.order('made', { referencedTable: 'early', ascending: false });
		expect(filtered).toEqual([
			{ id: 3, early: [{ title: 'Strawberry Thief' }, { title: 'Acanthus' }] }
		]);
	});

	it('embeds `rows 1` and single-row computed relationships as objects', async () => {
		const { data } = await anon
			.from('artists')
			.select('full_name, latest:latest_work(title)')
			.order('id');
		expect(data).toEqual([
			{ full_name: 'Anni Albers', latest: { title: 'Six Prayers' } },
			{ full_name: 'Gunta Stölzl', latest: { title: 'Slit Tapestry Red-Green' } },
			{ full_name: 'William Morris', latest: { title: 'Strawberry Thief' } }
		]);
		const { data: work } = await anon
			.from('works')
			.select('title, maker(full_name, born)')
			.eq('id', 2)
			.single();
		expect(work).toEqual({ title: 'Trellis', maker: { full_name: 'William Morris', born: 1834 } });
	});

	it('nests computed relationships and keeps only parents with rows under !inner', async () => {
		const { data } = await anon
			.from('artists')
			.select('id, early_works!inner(title, maker(last_name))')
			.limit(1, { referencedTable: 'early_works' });
		expect(data).toEqual([
			{ id: 3, early_works: [{ title: 'Trellis', maker: { last_name: 'Morris' } }] }
		]);
	});

	it('embeds computed relationships on the rows of a function call', async () => {
		const { data } = await anon
			.rpc('artists_born_before', { year: 1850 })
			.select('id, latest:latest_work(title)');
		expect(data).toEqual([{ id: 3, latest: { title: 'Strawberry Thief' } }]);
		// PostgREST names the call's rows after the table it returns.
		const { error } = await anon.rpc('artists_born_before', { year: 1850 }).select('id, nope');
		expect(error).toMatchObject({ code: '42703', message: 'column artists.nope does not exist' });
	});

	it('answers PGRST200 for a function that is no computed relationship', async () => {
		const { status, error } = await anon.from('artists').select('id, full_name(*)');
		expect(status).toBe(400);
		expect(error).toEqual({
			code: 'PGRST200',
			message:
				"Could not find a relationship between 'artists' and 'full_name' in the schema cache",
			details:
				"Searched for a foreign key relationship between 'artists' and 'full_name' in the schema 'public', but no matches were found.",
			hint: null
		});
	});
});
