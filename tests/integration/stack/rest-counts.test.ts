/**
 * Counts as PostgREST 14 answers them, through the unmodified supabase-js: `count` on function
 * calls of every return shape, and `planned` / `estimated` counts from the planner's estimate.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE_SKIP, startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { REST_EMBED_PROJECT, rest, restClient } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST counts (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_EMBED_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	/** The planner's row estimate for a statement, as PostgREST reads it from EXPLAIN. */
	async function planRows(sql: string): Promise<number> {
		const { rows } = await stack.db.query<{ 'QUERY PLAN': unknown }>(
			`explain (format json) ${sql}`
		);
		const raw = rows[0]['QUERY PLAN'];
		const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
			Plan: { 'Plan Rows': number };
		}[];
		return plan[0].Plan['Plan Rows'];
	}

	it('counts the rows of a set-returning function, also over a range', async () => {
		const all = await anon.rpc('notes_of', { maker: 'ada' }, { count: 'exact' });
		expect(all.error).toBeNull();
		expect(all.status).toBe(200);
		expect(all.count).toBe(3);
		const page = await anon.rpc('notes_of', { maker: 'ada' }, { count: 'exact' }).range(0, 1);
		expect(page.status).toBe(206);
		expect(page.count).toBe(3);
		expect(page.data).toHaveLength(2);
		const numbers = await anon.rpc('numbers', { up_to: 5 }, { count: 'exact' });
		expect(numbers.count).toBe(5);
		expect(numbers.data).toEqual([1, 2, 3, 4, 5]);
	});

	it('counts one row for a scalar, a composite and a void function', async () => {
		const scalar = await anon.rpc('note_count', { maker: 'ada' }, { count: 'exact' });
		expect(scalar).toMatchObject({ data: 3, count: 1, status: 200, error: null });
		const composite = await anon.rpc('first_note', { maker: 'bea' }, { count: 'exact' });
		expect(composite).toMatchObject({ count: 1, status: 200, error: null });
		expect(composite.data).toEqual({
			id: 4,
			body: 'Second note in the east',
			username: 'bea',
			studio_id: 3
		});
		const raw = await rest(stack, '/rpc/touch', {
			method: 'POST',
			headers: { prefer: 'count=exact' }
		});
		expect(raw.status).toBe(204);
		expect(raw.headers.get('content-range')).toBe('0-0/1');
		expect(raw.headers.get('preference-applied')).toBe('count=exact');
		const uncounted = await rest(stack, '/rpc/note_count?maker=ada');
		expect(uncounted.headers.get('content-range')).toBe('0-0/*');
		expect(uncounted.headers.get('preference-applied')).toBeNull();
	});

	it('names the honoured count in Preference-Applied', async () => {
		const response = await rest(stack, '/notes?select=id', { headers: { prefer: 'count=exact' } });
		expect(response.headers.get('content-range')).toBe('0-3/4');
		expect(response.headers.get('preference-applied')).toBe('count=exact');
	});

	it('gives no total for a planned count on a function call', async () => {
		const response = await rest(stack, '/rpc/numbers?up_to=5', {
			headers: { prefer: 'count=planned', range: '0-1' }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-range')).toBe('0-1/*');
	});

	it("answers a planned count with the planner's estimate, 206 for a head request", async (ctx) => {
		ctx.skip(kind === 'remote' && !process.env.SUPABASE_TEST_DB_URL, REMOTE_SKIP.db);
		const estimate = await planRows('select 1 from public.notes');
		// A table never analysed is estimated from its pages, far above its four rows.
		expect(estimate).toBeGreaterThan(4);
		const head = await anon.from('notes').select('*', { head: true, count: 'planned' });
		expect(head.error).toBeNull();
		expect(head.status).toBe(206);
		expect(head.count).toBe(estimate);
		const filtered = await anon
			.from('notes')
			.select('id', { count: 'planned' })
			.eq('username', 'ada');
		expect(filtered.count).toBe(
			await planRows("select 1 from public.notes where username = 'ada'")
		);
		expect(filtered.data).toHaveLength(3);
	});

	it('keeps an exact estimated count below max_rows', async () => {
		const { count, status } = await anon
			.from('notes')
			.select('id', { count: 'estimated' })
			.eq('username', 'ada');
		expect(status).toBe(200);
		expect(count).toBe(3);
	});
});
