/**
 * Fails on any finding of the re-implemented Supabase advisors (see lints.ts). Each lint is also
 * run against a deliberately bad object in a rolled-back transaction, so a lint that silently
 * stopped matching would fail too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { ALL_LINTS, AUTHENTICATED_DEFINER_ALLOWLIST } from './lints.ts';

/** A violation of each lint and the finding it must produce. */
const PROBES: Record<string, { sql: string; finding: string }> = {
	auth_users_exposed: {
		sql: `create view public.lint_users with (security_invoker = on) as select id from auth.users;
			grant select on public.lint_users to anon;`,
		finding: 'public.lint_users'
	},
	policy_exists_rls_disabled: {
		sql: `create table public.lint_t (id int primary key);
			create policy lint_p on public.lint_t for select to anon using (id > 0);`,
		finding: 'public.lint_t'
	},
	rls_enabled_no_policy: {
		sql: `create table public.lint_t (id int primary key);
			alter table public.lint_t enable row level security;`,
		finding: 'public.lint_t'
	},
	security_definer_view: {
		sql: `create view public.lint_v as select 1 as x;`,
		finding: 'public.lint_v'
	},
	function_search_path_mutable: {
		sql: `create function public.lint_f() returns int language sql as 'select 1';`,
		finding: 'public.lint_f()'
	},
	rls_disabled_in_public: {
		sql: `create table public.lint_t (id int primary key);`,
		finding: 'public.lint_t'
	},
	extension_in_public: {
		sql: `do $$ begin
				if exists (select 1 from pg_extension where extname = 'pg_trgm') then
					alter extension pg_trgm set schema public;
				else
					create extension pg_trgm schema public;
				end if;
			end $$;`,
		finding: 'pg_trgm'
	},
	rls_references_user_metadata: {
		sql: `create policy lint_meta on public.themes for update to authenticated
			using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin');`,
		finding: 'public.themes lint_meta'
	},
	materialized_view_in_api: {
		sql: `create materialized view public.lint_mv as select 1 as x;
			grant select on public.lint_mv to anon;`,
		finding: 'public.lint_mv'
	},
	sensitive_columns_exposed: {
		sql: `create table public.lint_t (id int primary key, password text);`,
		finding: 'public.lint_t.password'
	},
	rls_policy_always_true: {
		sql: `create policy lint_true on public.themes for delete to authenticated using (true);`,
		finding: 'public.themes lint_true'
	},
	public_bucket_allows_listing: {
		sql: `create policy lint_list on storage.objects for select to anon
			using (bucket_id = 'public-media');`,
		finding: 'public-media lint_list'
	},
	anon_security_definer_function_executable: {
		sql: `create function public.lint_d() returns int language sql security definer
				set search_path = '' as 'select 1';
			grant execute on function public.lint_d() to anon;`,
		finding: 'public.lint_d()'
	},
	authenticated_security_definer_function_executable: {
		sql: `create function public.lint_d() returns int language sql security definer
				set search_path = '' as 'select 1';
			grant execute on function public.lint_d() to authenticated;`,
		finding: 'public.lint_d()'
	},
	unindexed_foreign_keys: {
		sql: `create table public.lint_fk (id int primary key, piece_id uuid references public.pieces (id));`,
		finding: 'public.lint_fk lint_fk_piece_id_fkey'
	},
	auth_rls_initplan: {
		sql: `create policy lint_init on public.themes for update to authenticated
			using (auth.uid() is not null and (select auth.uid()) is not null);`,
		finding: 'public.themes lint_init'
	},
	no_primary_key: {
		sql: `create table public.lint_nopk (x int);`,
		finding: 'public.lint_nopk'
	},
	multiple_permissive_policies: {
		sql: `create policy lint_dup on public.pieces for select to anon using (true);`,
		finding: 'public.pieces anon SELECT'
	},
	duplicate_index: {
		sql: `create index lint_dup_idx on public.pieces (maker_id, status);`,
		finding: 'public.pieces lint_dup_idx,pieces_maker_id_idx'
	}
};

/** Intended findings, each with the reason it is intended. */
const ALLOWED: Record<string, Record<string, string>> = {
	authenticated_security_definer_function_executable: AUTHENTICATED_DEFINER_ALLOWLIST,
	rls_enabled_no_policy: {
		'private.rate_buckets': 'deny-all: only take_rate_limit (service role) touches it',
		'private.run_leases': 'deny-all: only begin/end_single_run (service role) touch it',
		'private.page_cache_version': 'deny-all: read and bumped through service-role functions',
		'private.erasures': 'deny-all: written by triggers, read by erasures_since (service role)'
	}
};

class Rollback {
	constructor(readonly findings: string[]) {}
}

describe.each(testDbKinds())('Supabase advisors on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	/** Findings of one lint, optionally after `setup`, which is rolled back. */
	async function findings(lint: string, setup = ''): Promise<string[]> {
		try {
			await stack.db.transaction(async (tx) => {
				if (setup) await tx.exec(setup);
				// Unqualified names in the output would depend on the session's search_path.
				await tx.exec(`set local search_path to ''`);
				const { rows } = await tx.query<{ object: string }>(ALL_LINTS[lint]);
				throw new Rollback(rows.map((r) => r.object).sort());
			});
		} catch (error) {
			if (error instanceof Rollback) return error.findings;
			throw error;
		}
		throw new Error('unreachable');
	}

	it('every lint has a probe', () => {
		expect(Object.keys(PROBES).sort()).toEqual(Object.keys(ALL_LINTS).sort());
	});

	it.each(Object.keys(ALL_LINTS))(
		'%s: no findings beyond the documented allowlist',
		async (lint) => {
			const allowed = ALLOWED[lint] ?? {};
			const found = await findings(lint);
			expect(found.filter((object) => !(object in allowed))).toEqual([]);
			// Stale entries would hide a renamed function's new signature.
			expect(Object.keys(allowed).filter((object) => !found.includes(object))).toEqual([]);
		}
	);

	it.each(Object.keys(PROBES))('%s: detects a planted violation', async (lint) => {
		const probe = PROBES[lint];
		expect(await findings(lint, probe.sql)).toContain(probe.finding);
	});

	it('anon may execute no SECURITY DEFINER function at all', async () => {
		expect(await findings('anon_security_definer_function_executable')).toEqual([]);
	});
});
