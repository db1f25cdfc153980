/**
 * Aggregates in select as PostgREST 14 serves them behind `db-aggregates-enabled` (set in the
 * database as `pgrst.db_aggregates_enabled` on the authenticator role, as the embedding fixture
 * does), through the unmodified supabase-js: grouping, casts, embeds, spreads and the errors, also
 * PGRST123 where the setting is off (the read fixture).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { REST_EMBED_PROJECT, REST_PROJECT, rest, restClient } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST aggregates, enabled (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_EMBED_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	it('counts and sums all rows, named after the function unless aliased', async () => {
		const { data, error } = await anon.from('sales').select('count(), total:amount.sum()');
		expect(error).toBeNull();
		expect(data).toEqual([{ count: 5, total: 45.5 }]);
		const raw = await rest(stack, '/sales?select=amount.sum(),qty.max(),qty.min()');
		expect(await raw.text()).toBe('[{"sum":45.50,"max":5,"min":1}]');
	});

	it('groups by every other field', async () => {
		const { data } = await anon
			.from('sales')
			.select('maker, amount.sum(), qty.avg(), count()')
			.order('maker');
		expect(data).toEqual([
			{ maker: 'ada', sum: 34.75, avg: 2, count: 3 },
			{ maker: 'bea', sum: 7.75, avg: 5, count: 1 },
			{ maker: 'cleo', sum: 3, avg: 1, count: 1 }
		]);
	});

	it('casts the value before and the result after the aggregate', async () => {
		const { data } = await anon
			.from('sales')
			.select('total:amount.sum()::text, qty::text.max(), amount::int.sum()');
		expect(data).toEqual([{ total: '45.50', max: '5', sum: 46 }]);
	});

	it('aggregates inside embeds, also with a bare count', async () => {
		const { data } = await anon
			.from('makers')
			.select('username, sales(count), totals:sales(n:count(), amount.sum())')
			.in('username', ['ada', 'dora'])
			.order('username');
		expect(data).toEqual([
			{ username: 'ada', sales: [{ count: 3 }], totals: [{ n: 3, sum: 34.75 }] },
			{ username: 'dora', sales: [{ count: 0 }], totals: [{ n: 0, sum: null }] }
		]);
	});

	it('groups by embeds and spread columns next to an aggregate', async () => {
		const { data } = await anon
			.from('sales')
			.select('studio_id, count(), studios(slug, ...studio_details(details))')
			.order('studio_id');
		expect(data).toEqual([
			{ studio_id: 1, count: 2, studios: { slug: 'north', details: 'North studio, two looms' } },
			{ studio_id: 2, count: 1, studios: { slug: 'south', details: 'South studio, dye kitchen' } },
			{ studio_id: 3, count: 1, studios: { slug: 'east', details: null } },
			{ studio_id: null, count: 1, studios: null }
		]);
	});

	it('answers 42703 for a column that is not there, as Postgres does behind PostgREST', async () => {
		const missing = await anon.from('sales').select('alias:missing_column.count()');
		expect(missing.status).toBe(400);
		expect(missing.error).toEqual({
			code: '42703',
			details: null,
			hint: null,
			message: 'column sales.missing_column does not exist'
		});
		const bare = await anon.from('makers').select('username, sales(sum)');
		expect(bare.error?.message).toBe('column sales_1.sum does not exist');
	});

	it('hoists the aggregates of a to-one spread into the level it is spread into', async () => {
		const { data } = await anon
			.from('sales')
			.select('maker, ...studios(total:id.sum())')
			.order('maker');
		expect(data).toEqual([
			{ maker: 'ada', total: 4 },
			{ maker: 'bea', total: 3 },
			{ maker: 'cleo', total: null }
		]);
		// Groups come in no set order: PostgREST orders by columns of the table, not by aggregates.
		const { data: bySlug } = await anon.from('sales').select('...studios(slug, n:count())');
		expect(bySlug).toHaveLength(4);
		expect(bySlug).toEqual(
			expect.arrayContaining([
				{ slug: null, n: 0 },
				{ slug: 'north', n: 2 },
				{ slug: 'south', n: 1 },
				{ slug: 'east', n: 1 }
			])
		);
	});

	it('refuses aggregates inside a to-many spread with PGRST127', async () => {
		const { error, status } = await anon.from('studios').select('id, ...sales(amount.sum())');
		expect(status).toBe(400);
		expect(error).toEqual({
			code: 'PGRST127',
			details: 'Aggregates are not implemented for one-to-many or many-to-many spreads.',
			hint: null,
			message: 'Feature not implemented'
		});
	});
});

describe.each(testDbKinds({ remote: true }))('REST aggregates, disabled (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	it('answers PGRST123 for every aggregate, at the top and in embeds', async () => {
		for (const select of [
			'count()',
			'id.sum()',
			'id, comments(count())',
			'title, id.max()::text'
		]) {
			const { data, error, status } = await anon.from('posts').select(select);
			expect(data).toBeNull();
			expect(status).toBe(400);
			expect(error).toEqual({
				code: 'PGRST123',
				details: null,
				hint: null,
				message: 'Use of aggregate functions is not allowed'
			});
		}
	});

	it('resolves embeds before it refuses the aggregate', async () => {
		const { error } = await anon.from('posts').select('id, nothing(count())');
		expect(error?.code).toBe('PGRST200');
	});
});
