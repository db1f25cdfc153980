/**
 * The REST schema cache follows DDL run outside the stack: `NOTIFY pgrst, 'reload schema'` (what
 * PostgREST listens for, and what Supabase's DDL event trigger sends) and
 * `RunningStack.reloadSchemaCache()`. PostgREST reloads asynchronously, so reads poll.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE_SKIP, startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { REST_PROJECT, restClient } from './rest-helpers.ts';

const POLL = { timeout: 15_000, interval: 50 };

describe.each(testDbKinds({ remote: true }))('REST schema cache reload (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: REST_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	it('serves a table created by SQL after start once NOTIFY pgrst arrives', async () => {
		await stack.db.exec(`
			create table public.reload_late (id int primary key, label text);
			grant select on public.reload_late to anon;
			insert into public.reload_late values (1, 'linen'), (2, 'wool');
			notify pgrst, 'reload schema';
		`);
		await expect
			.poll(async () => (await anon.from('reload_late').select('id, label').order('id')).data, POLL)
			.toEqual([
				{ id: 1, label: 'linen' },
				{ id: 2, label: 'wool' }
			]);
	});

	it('forgets a dropped table after NOTIFY: PGRST205 from the cache, not a SQL error', async () => {
		await stack.db.exec(`
			create table public.reload_gone (id int primary key);
			grant select on public.reload_gone to anon;
			notify pgrst, 'reload schema';
		`);
		await expect
			.poll(async () => (await anon.from('reload_gone').select('id')).error, POLL)
			.toBeNull();
		// Without a reload the cached table would reach Postgres and fail with 42P01.
		await stack.db.exec(`drop table public.reload_gone; notify pgrst, 'reload schema';`);
		await expect
			.poll(async () => (await anon.from('reload_gone').select('id')).error?.code, POLL)
			.toBe('PGRST205');
	});

	it('sees a new column of an existing table after NOTIFY', async () => {
		await stack.db.exec(`
			alter table public.reload_late add column colour text default 'red';
			notify pgrst, 'reload schema';
		`);
		await expect
			.poll(
				async () => (await anon.from('reload_late').select('id, colour').eq('id', 1)).data,
				POLL
			)
			.toEqual([{ id: 1, colour: 'red' }]);
	});

	it('reloads at once through RunningStack.reloadSchemaCache()', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.internals);
		await stack.db.exec(`
			create table public.reload_direct (id int primary key);
			grant select on public.reload_direct to anon;
		`);
		expect((await anon.from('reload_direct').select('id')).error).toBeNull();
		await stack.db.exec('drop table public.reload_direct');
		await stack.reloadSchemaCache();
		const { error, status } = await anon.from('reload_direct').select('id');
		expect(status).toBe(404);
		expect(error?.code).toBe('PGRST205');
	});
});
