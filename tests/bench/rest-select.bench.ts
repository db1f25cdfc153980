/**
 * rest_select_overhead_ratio: p50 latency of a 60-row select under an RLS policy through the local
 * stack's REST service divided by the p50 of the same select run directly on the same database in
 * one transaction with the same role and `request.jwt.claims` settings (via `stack.db`). All
 * sides alternate so they see the same machine load.
 *
 * The request is exactly the one unmodified supabase-js sends (URL and headers captured from its
 * fetch once, a user's JWT), replayed with a keep-alive `node:http` client that parses the JSON
 * answer, as storage-upload.bench.ts does for uploads: the figure is then the stack's overhead
 * (HTTP parsing, auth, SQL building, JSON) rather than Node's fetch, which costs about as much as
 * the query itself on PGlite. supabase-js's own end-to-end figure is the `_supabase_js` row.
 */
import { Agent, get as httpGet } from 'node:http';
import { createClient } from '@supabase/supabase-js';
import { asCaller } from '../../supabase/local/src/core/caller.ts';
import { startTestStack, testDbKinds, type TestDbKind } from '../helpers/stack.ts';
import { ALICE, REST_PROJECT, restClient, userToken } from '../integration/stack/rest-helpers.ts';
import { p50, type Bench, type BenchResult } from './harness.ts';

const WARMUP = 100;
const SAMPLES = 201;
const SQL = 'select id, owner_id, label, value, taken_at from public.readings order by taken_at';

async function measure(kind: TestDbKind, name: string): Promise<BenchResult[]> {
	const stack = await startTestStack({ kind, projectDir: REST_PROJECT });
	try {
		const token = await userToken(stack, ALICE);
		const client = restClient(stack, { token });
		const claims = await stack.stack.keys.verify(token);
		const caller = { role: 'authenticated' as const, claims, token };

		// The request supabase-js makes, captured once from its fetch.
		let captured: { url: string; headers: Record<string, string> } | null = null;
		const capturing = createClient(stack.url, stack.keys.publishable, {
			auth: { persistSession: false, autoRefreshToken: false },
			global: {
				headers: { Authorization: `Bearer ${token}` },
				fetch: (input, init) => {
					captured = {
						url: String(input),
						headers: Object.fromEntries(new Headers(init?.headers).entries())
					};
					return fetch(input, init);
				}
			}
		});
		await capturing
			.from('readings')
			.select('id, owner_id, label, value, taken_at')
			.order('taken_at');
		if (!captured) throw new Error('supabase-js sent nothing');
		const request = captured as { url: string; headers: Record<string, string> };
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		const lean = () =>
			new Promise<number>((resolve, reject) => {
				const started = performance.now();
				const req = httpGet(request.url, { agent, headers: request.headers }, (res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () => {
						const rows = JSON.parse(Buffer.concat(chunks).toString()) as unknown[];
						const elapsed = performance.now() - started;
						if (res.statusCode !== 200 || rows.length !== 60)
							reject(new Error(`unexpected REST answer: ${res.statusCode} ${rows.length}`));
						else resolve(elapsed);
					});
					res.on('error', reject);
				});
				req.on('error', reject);
			});

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
			await lean();
			await viaStack();
			await direct();
		}
		const http: number[] = [];
		const rest: number[] = [];
		const sql: number[] = [];
		for (let i = 0; i < SAMPLES; i++) {
			http.push(await lean());
			rest.push(await viaStack());
			sql.push(await direct());
		}
		agent.destroy();
		const baseline = p50(sql);
		const value = p50(http);
		const viaClient = p50(rest);
		return [
			{
				name,
				value,
				unit: 'ms',
				baseline,
				ratio: value / baseline,
				target: '≤ 2',
				note: `${kind}, 60 rows under RLS: supabase-js's request over node:http p50 ${value.toFixed(2)} ms, same select as the same role via stack.db p50 ${baseline.toFixed(2)} ms`
			},
			{
				name: `${name}_supabase_js`,
				value: viaClient,
				unit: 'ms',
				baseline,
				ratio: viaClient / baseline,
				note: `${kind}: the same select end to end through supabase-js (Node's fetch) p50 ${viaClient.toFixed(2)} ms`
			}
		];
	} finally {
		await stack.close();
	}
}

/** PGlite (the dev default) always; a real Postgres as a second figure when TEST_DATABASE_URL is set. */
const bench: Bench = async () => {
	const results = await measure('pglite', 'rest_select_overhead_ratio');
	if (testDbKinds().includes('postgres'))
		results.push(...(await measure('postgres', 'rest_select_overhead_ratio_postgres')));
	return results;
};

export default bench;
