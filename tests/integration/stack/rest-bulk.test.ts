/**
 * Bulk inserts and upserts with rows that leave columns out, through the unmodified supabase-js:
 * `defaultToNull: false` (`Prefer: missing=default`) evaluates each inserted column's default for
 * every row, as PostgREST lays every row over an object of the defaults; the default fills in nulls.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { REST_EMBED_PROJECT, restClient } from './rest-helpers.ts';

describe.each(testDbKinds({ remote: true }))('REST bulk inserts (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_EMBED_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	it('applies the defaults of missing keys, drawing the identity for every row', async () => {
		// The seed leaves the identity at 100. The second row brings its own id, yet its default is
		// drawn too (102), so the third row gets 103, exactly as PostgREST answers.
		const { data, error, status } = await anon
			.from('swatches')
			.insert([{ code: 'b1' }, { id: 500, code: 'b2' }, { code: 'b3', weight: 7 }], {
				defaultToNull: false
			})
			.select('id, code, colour, weight');
		expect(error).toBeNull();
		expect(status).toBe(201);
		expect(data).toEqual([
			{ id: 101, code: 'b1', colour: 'undyed', weight: 50 },
			{ id: 500, code: 'b2', colour: 'undyed', weight: 50 },
			{ id: 103, code: 'b3', colour: 'undyed', weight: 7 }
		]);
	});

	it('keeps an explicit null under missing=default', async () => {
		const { data } = await anon
			.from('swatches')
			.insert([{ code: 'f1', weight: null }, { code: 'f2' }], { defaultToNull: false })
			.select('code, weight');
		expect(data).toEqual([
			{ code: 'f1', weight: null },
			{ code: 'f2', weight: 50 }
		]);
	});

	it('inserts null for missing keys by default, and the default for columns no row names', async () => {
		const { data } = await anon
			.from('swatches')
			.insert([{ code: 'e1', note: 'dyed twice' }, { code: 'e2' }])
			.select('code, colour, weight, note');
		expect(data).toEqual([
			{ code: 'e1', colour: 'undyed', weight: 50, note: 'dyed twice' },
			{ code: 'e2', colour: 'undyed', weight: 50, note: null }
		]);
	});

	it('upserts only the named columns, with defaults for the missing ones', async () => {
		const { data, error } = await anon
			.from('swatches')
			.upsert([{ code: 'a1', weight: 41 }, { code: 'a2' }], {
				onConflict: 'code',
				defaultToNull: false
			})
			.select('code, colour, weight')
			.order('code');
		expect(error).toBeNull();
		expect(data).toEqual([
			{ code: 'a1', colour: 'red', weight: 41 },
			{ code: 'a2', colour: 'undyed', weight: 50 }
		]);
	});
});
