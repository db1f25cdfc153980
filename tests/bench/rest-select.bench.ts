/**
 * rest_select_overhead_ratio: p50 latency of a 60-row select under an RLS policy through the local
 * stack's REST service (unmodified supabase-js, a user's JWT) divided by the p50 of the same
 * select run directly on the same database in one transaction with the same role and
 * `request.jwt.claims` settings (via `stack.db`). Both alternate so they see the same machine load.
 */
import { asCaller } from '../../supabase/local/src/core/caller.ts';
import { startTestStack, testDbKinds, type TestDbKind } from '../helpers/stack.ts';
import { ALICE, REST_PROJECT, restClient, userToken } from '../integration/stack/rest-helpers.ts';
import { p50, type Bench, type BenchResult } from './harness.ts';

const WARMUP = 100;
const SAMPLES = 201;
const SQL = 'select id, owner_id, label, value, taken_at from public.readings order by taken_at';

async function measure(kind: TestDbKind, name: string): Promise<BenchResult> {
	const stack = await startTestStack({ kind, projectDir: REST_PROJECT });
	try {
		const token = await userToken(stack, ALICE);
		const client = restClient(stack, { token });
		const claims = await stack.stack.keys.verify(token);
		const caller = { role: 'authenticated' as const, claims, token };

		const viaStack = async () => {
			const started = performance.now();
			const { data, error } = await client
				.from('readings')
				.select('id, owner_id, label, value, taken_at')
				.order('taken_at');
			const elapsed = performance.now() - started;
			if (error || data?.length !== 60)
				throw new Error(`unexpected REST result: ${error?.message ?? data?.length}`);
			return elapsed;
		};
		const direct = async () => {
			const started = performance.now();
			const rows = await asCaller(
				stack.db,
				caller,
				{ method: 'GET', path: '/readings', headers: {} },
				async (tx) => (await tx.query(SQL)).rows,
				{ readOnly: true }
			);
			const elapsed = performance.now() - started;
			if (rows.length !== 60) throw new Error(`unexpected direct result: ${rows.length}`);
			return elapsed;
		};

		for (let i = 0; i < WARMUP; i++) {
			await viaStack();
			await direct();
		}
		const rest: number[] = [];
		const sql: number[] = [];
		for (let i = 0; i < SAMPLES; i++) {
			rest.push(await viaStack());
			sql.push(await direct());
		}
		const value = p50(rest);
		const baseline = p50(sql);
		return {
			name,
			value,
			unit: 'ms',
			baseline,
			ratio: value / baseline,
			target: '≤ 2',
			note: `${kind}, 60 rows under RLS: supabase-js p50 ${value.toFixed(2)} ms, same select as the same role via stack.db p50 ${baseline.toFixed(2)} ms`
		};
	} finally {
		await stack.close();
	}
}

/** PGlite (the dev default) always; a real Postgres as a second figure when TEST_DATABASE_URL is set. */
const bench: Bench = async () => {
	const results = [await measure('pglite', 'rest_select_overhead_ratio')];
	if (testDbKinds().includes('postgres'))
		results.push(await measure('postgres', 'rest_select_overhead_ratio_postgres'));
	return results;
};

export default bench;
