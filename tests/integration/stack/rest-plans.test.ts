/**
 * Query plans (`Accept: application/vnd.pgrst.plan[+json|+text]`, supabase-js `.explain()`) as
 * PostgREST 14 serves them: only with `db-plan-enabled`, which Supabase projects switch on with
 * `alter role authenticator set pgrst.db_plan_enabled` and `NOTIFY pgrst, 'reload config'`
 * (PostgREST reloads asynchronously, so the switch polls). The answer is the EXPLAIN of the
 * statement the request would run, with status 200 and the plan media type as Content-Type.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE_SKIP, startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { FUNCTIONS_PROJECT, rest, restClient } from './rest-helpers.ts';

const POLL = { timeout: 15_000, interval: 50 };

/** The setting for this test's database only: roles are shared by every database of a server. */
const setPlanEnabled = (value: boolean) => `
	do $$ begin
		execute format('alter role authenticator in database %I set pgrst.db_plan_enabled to %L',
			current_database(), ${value ? "'true'" : "'false'"});
	end $$;
	notify pgrst, 'reload config';`;

describe.each(testDbKinds({ remote: true }))('REST query plans (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;
	let service: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: FUNCTIONS_PROJECT, kind });
		anon = restClient(stack);
		service = restClient(stack, { key: stack.keys.secret });
	});
	afterAll(() => stack?.close());
	const noSql = () => kind === 'remote' && !process.env.SUPABASE_TEST_DB_URL;

	it('refuses plan media types with 406 PGRST107 while db-plan-enabled is off', async () => {
		const { status, error } = await anon.from('artists').select('id').explain();
		expect(status).toBe(406);
		expect(error).toEqual({
			code: 'PGRST107',
			message:
				'None of these media types are available: application/vnd.pgrst.plan+text; for="application/json"',
			details: null,
			hint: null
		});
		const json = await rest(stack, '/artists', {
			headers: { Accept: 'application/vnd.pgrst.plan+json; options=analyze|verbose' }
		});
		expect(json.status).toBe(406);
		expect((await json.json()).message).toBe(
			'None of these media types are available: application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose'
		);
	});

	it('answers the plan of a read, as text by default and as JSON', async (ctx) => {
		ctx.skip(noSql(), REMOTE_SKIP.db);
		await stack.db.exec(setPlanEnabled(true));
		await expect
			.poll(async () => (await anon.from('artists').select('id').explain()).status, POLL)
			.toBe(200);
		const { data } = await anon.from('artists').select('id, full_name').eq('id', 1).explain();
		expect(data).toMatch(/^Aggregate {2}\(cost=/);
		const text = await rest(stack, '/artists?id=eq.1', {
			headers: { Accept: 'application/vnd.pgrst.plan' }
		});
		expect(text.status).toBe(200);
		expect(text.headers.get('content-type')).toBe(
			'application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8'
		);
		const { data: plan } = await anon
			.from('artists')
			.select('id, early_works(title)')
			.explain({ format: 'json' });
		expect(plan).toEqual([
			expect.objectContaining({ Plan: expect.objectContaining({ 'Node Type': 'Aggregate' }) })
		]);
	});

	it('passes analyze, verbose, settings, buffers and wal to EXPLAIN', async (ctx) => {
		ctx.skip(noSql(), REMOTE_SKIP.db);
		const response = await rest(stack, '/works?select=title&order=id', {
			headers: {
				Accept:
					'application/vnd.pgrst.plan+json; for="application/json"; options=wal|buffers|settings|verbose|analyze'
			}
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe(
			'application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose|settings|buffers|wal; charset=utf-8'
		);
		const [explained] = (await response.json()) as Record<string, unknown>[];
		const top = explained.Plan as Record<string, unknown>;
		expect(top['Actual Rows']).toBe(1);
		expect(top.Output).toEqual(expect.arrayContaining([expect.stringContaining('json_agg')]));
		expect(top).toHaveProperty('Shared Hit Blocks');
		expect(top).toHaveProperty('WAL Records');
		expect(explained.Settings).toHaveProperty('search_path');
		expect(typeof explained['Execution Time']).toBe('number');
	});

	it('explains singular reads, function calls and writes without running the write', async (ctx) => {
		ctx.skip(noSql(), REMOTE_SKIP.db);
		const single = await rest(stack, '/artists?id=eq.1', {
			headers: { Accept: 'application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object"' }
		});
		expect(single.headers.get('content-type')).toBe(
			'application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object+json"; charset=utf-8'
		);
		const call = await anon.rpc('pick', { b: 'x' }).explain({ format: 'json' });
		expect(call.status).toBe(200);
		expect(call.data).toEqual([expect.objectContaining({ Plan: expect.any(Object) })]);
		const insert = await service
			.from('artists')
			.insert({ id: 9, first_name: 'Not', last_name: 'Inserted', born: 1900 })
			.explain({ format: 'json' });
		expect(insert.status).toBe(200);
		expect(JSON.stringify(insert.data)).toContain('"Operation":"Insert"');
		expect((await service.from('artists').select('id').eq('id', 9)).data).toEqual([]);
	});

	it('stops answering plans once the setting is off again', async (ctx) => {
		ctx.skip(noSql(), REMOTE_SKIP.db);
		await stack.db.exec(setPlanEnabled(false));
		await expect
			.poll(async () => (await anon.from('artists').select('id').explain()).status, POLL)
			.toBe(406);
	});
});
