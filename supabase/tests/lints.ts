/**
 * Supabase's database advisors (splinter) re-implemented as catalog queries, so that CI fails on
 * the same findings the hosted Security and Performance Advisors would show. Each query returns
 * one row per finding with a stable `object` key. Where splinter is lax (auth_rls_initplan accepts
 * a policy as soon as one call is wrapped), these are stricter.
 */

/** Schemas the Data API serves (config.toml `[api] schemas`). */
export const EXPOSED_SCHEMAS = ['public', 'graphql_public'];

/** Platform schemas splinter never reports on. */
export const SYSTEM_SCHEMAS = [
	'_timescaledb_cache',
	'_timescaledb_catalog',
	'_timescaledb_config',
	'_timescaledb_internal',
	'auth',
	'cron',
	'extensions',
	'graphql',
	'graphql_public',
	'information_schema',
	'net',
	'pgmq',
	'pgroonga',
	'pgsodium',
	'pgsodium_masks',
	'pgtle',
	'pgbouncer',
	'pg_catalog',
	'pg_toast',
	'realtime',
	'repack',
	'storage',
	'supabase_functions',
	'supabase_migrations',
	'tiger',
	'topology',
	'vault'
];

const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
const EXPOSED = list(EXPOSED_SCHEMAS);
const SYSTEM = list(SYSTEM_SCHEMAS);

/** Normalised policy text: lower case, no whitespace (splinter compares it to `true`, `1=1`). */
const squash = (col: string) => `regexp_replace(lower(coalesce(${col}, '')), '\\s+', '', 'g')`;
const ALWAYS_TRUE = `('true', '(true)', '1=1', '(1=1)')`;

/** Objects created by an extension are the extension's business, not the project's. */
const notFromExtension = (oid: string) =>
	`not exists (select 1 from pg_catalog.pg_depend d where d.objid = ${oid} and d.deptype = 'e')`;

export const SECURITY_LINTS: Record<string, string> = {
	auth_users_exposed: `
		select distinct n.nspname || '.' || c.relname as object
		from pg_catalog.pg_class c
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		join pg_catalog.pg_rewrite r on r.ev_class = c.oid
		join pg_catalog.pg_depend d on d.objid = r.oid and d.classid = 'pg_catalog.pg_rewrite'::regclass
		where c.relkind in ('v', 'm')
			and n.nspname in (${EXPOSED})
			and d.refobjid = 'auth.users'::regclass
			and (pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
				or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))`,

	policy_exists_rls_disabled: `
		select distinct n.nspname || '.' || c.relname as object
		from pg_catalog.pg_policy p
		join pg_catalog.pg_class c on c.oid = p.polrelid
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where not c.relrowsecurity and n.nspname not in (${SYSTEM})`,

	rls_enabled_no_policy: `
		select n.nspname || '.' || c.relname as object
		from pg_catalog.pg_class c
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where c.relkind in ('r', 'p') and c.relrowsecurity
			and n.nspname not in (${SYSTEM})
			and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid)`,

	security_definer_view: `
		select n.nspname || '.' || c.relname as object
		from pg_catalog.pg_class c
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where c.relkind = 'v'
			and n.nspname in (${EXPOSED})
			and not exists (
				select 1 from unnest(coalesce(c.reloptions, '{}')) as o
				where lower(o) in ('security_invoker=true', 'security_invoker=on', 'security_invoker=1')
			)
			and ${notFromExtension('c.oid')}`,

	function_search_path_mutable: `
		select n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as object
		from pg_catalog.pg_proc p
		join pg_catalog.pg_namespace n on n.oid = p.pronamespace
		where n.nspname not in (${SYSTEM})
			and not exists (
				select 1 from unnest(coalesce(p.proconfig, '{}')) as cfg where cfg like 'search_path=%'
			)
			and ${notFromExtension('p.oid')}`,

	rls_disabled_in_public: `
		select n.nspname || '.' || c.relname as object
		from pg_catalog.pg_class c
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where c.relkind in ('r', 'p') and not c.relrowsecurity and n.nspname in (${EXPOSED})`,

	extension_in_public: `
		select e.extname as object
		from pg_catalog.pg_extension e
		join pg_catalog.pg_namespace n on n.oid = e.extnamespace
		where n.nspname = 'public'`,

	rls_references_user_metadata: `
		select schemaname || '.' || tablename || ' ' || policyname as object
		from pg_catalog.pg_policies
		where schemaname not in (${SYSTEM}) or schemaname = 'storage'
		group by 1
		having bool_or(coalesce(qual, '') ~* 'user_metadata|raw_user_meta_data'
			or coalesce(with_check, '') ~* 'user_metadata|raw_user_meta_data')`,

	materialized_view_in_api: `
		select n.nspname || '.' || c.relname as object
		from pg_catalog.pg_class c
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where c.relkind = 'm' and n.nspname in (${EXPOSED})
			and (pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
				or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))`,

	sensitive_columns_exposed: `
		select n.nspname || '.' || c.relname || '.' || a.attname as object
		from pg_catalog.pg_class c
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
		where c.relkind in ('r', 'p') and not c.relrowsecurity and n.nspname in (${EXPOSED})
			and lower(a.attname) ~ '(^|_)(password|passwd|pwd|secret|api_key|token|jwt|access_token|refresh_token|session_token|auth_code|otp|2fa_secret|ssn|social_security|driver_license|passport_number|national_id|tax_id|credit_card|card_number|cvv|bank_account|account_number|routing_number|iban|swift_code|health_record|medical_record|patient_id|insurance_number|diagnosis|mac_address|imei|device_uuid|ssh_key|pgp_key|certificate|fingerprint|biometric|facial_recognition)($|_)'`,

	rls_policy_always_true: `
		select p.schemaname || '.' || p.tablename || ' ' || p.policyname as object
		from pg_catalog.pg_policies p
		join pg_catalog.pg_namespace n on n.nspname = p.schemaname
		join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
		where c.relrowsecurity and p.permissive = 'PERMISSIVE'
			and p.schemaname not in (${SYSTEM})
			and p.roles && array['public', 'anon', 'authenticated']::name[]
			and (
				(p.cmd in ('UPDATE', 'DELETE', 'ALL')
					and (p.qual is null or ${squash('p.qual')} in ${ALWAYS_TRUE}))
				or ${squash('p.with_check')} in ${ALWAYS_TRUE}
				or (p.cmd = 'INSERT' and p.with_check is null)
			)`,

	public_bucket_allows_listing: `
		select b.id || ' ' || p.policyname as object
		from storage.buckets b
		join pg_catalog.pg_policies p
			on p.schemaname = 'storage' and p.tablename = 'objects'
			and p.cmd in ('SELECT', 'ALL') and p.permissive = 'PERMISSIVE'
			and p.roles && array['public', 'anon', 'authenticated']::name[]
		where b.public
			and (
				p.qual is null
				or ${squash('p.qual')} in ${ALWAYS_TRUE}
				or ${squash('p.qual')} ~ ('^\\(*bucket_id=''' || b.id || '''(::text)?\\)*$')
			)`,

	anon_security_definer_function_executable: `
		select n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as object
		from pg_catalog.pg_proc p
		join pg_catalog.pg_namespace n on n.oid = p.pronamespace
		where p.prosecdef and n.nspname not in (${SYSTEM})
			and pg_catalog.has_function_privilege('anon', p.oid, 'EXECUTE')`,

	authenticated_security_definer_function_executable: `
		select n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as object
		from pg_catalog.pg_proc p
		join pg_catalog.pg_namespace n on n.oid = p.pronamespace
		where p.prosecdef and n.nspname not in (${SYSTEM})
			and pg_catalog.has_function_privilege('authenticated', p.oid, 'EXECUTE')`
};

export const PERFORMANCE_LINTS: Record<string, string> = {
	unindexed_foreign_keys: `
		select n.nspname || '.' || c.relname || ' ' || con.conname as object
		from pg_catalog.pg_constraint con
		join pg_catalog.pg_class c on c.oid = con.conrelid
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where con.contype = 'f' and n.nspname not in (${SYSTEM})
			and not exists (
				select 1 from pg_catalog.pg_index i
				where i.indrelid = con.conrelid
					and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] operator(pg_catalog.@>) con.conkey
					and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] operator(pg_catalog.<@) con.conkey
			)`,

	// Every call of auth.uid()/jwt()/role()/email() or current_setting() in a policy must sit
	// directly inside a scalar sub-select, so Postgres evaluates it once per statement.
	auth_rls_initplan: `
		select schemaname || '.' || tablename || ' ' || policyname as object
		from (
			select schemaname, tablename, policyname,
				coalesce(qual, '') || ' ' || coalesce(with_check, '') as body
			from pg_catalog.pg_policies
			where schemaname not in (${SYSTEM}) or schemaname = 'storage'
		) p
		where (select count(*) from regexp_matches(body, '(auth\\.(uid|jwt|role|email)|current_setting)\\(', 'g'))
			> (select count(*) from regexp_matches(body, 'select\\s+(auth\\.(uid|jwt|role|email)|current_setting)\\(', 'gi'))`,

	no_primary_key: `
		select n.nspname || '.' || c.relname as object
		from pg_catalog.pg_class c
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where c.relkind in ('r', 'p') and n.nspname not in (${SYSTEM})
			and not exists (
				select 1 from pg_catalog.pg_index i where i.indrelid = c.oid and i.indisprimary
			)`,

	multiple_permissive_policies: `
		select n.nspname || '.' || c.relname || ' ' || r.rolname || ' ' || cmd as object
		from pg_catalog.pg_policy p
		join pg_catalog.pg_class c on c.oid = p.polrelid
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		join pg_catalog.pg_roles r on p.polroles @> array[r.oid] or p.polroles = array[0::oid]
		cross join lateral unnest(case p.polcmd
			when 'r' then array['SELECT'] when 'a' then array['INSERT']
			when 'w' then array['UPDATE'] when 'd' then array['DELETE']
			else array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] end) as cmd
		where p.polpermissive and c.relkind = 'r'
			and (n.nspname not in (${SYSTEM}) or n.nspname = 'storage')
			and r.rolname not like 'pg\\_%' and r.rolname not like 'supabase%admin'
			and not r.rolbypassrls
		group by 1
		having count(*) > 1`,

	duplicate_index: `
		select n.nspname || '.' || c.relname || ' ' || string_agg(ic.relname, ',' order by ic.relname) as object
		from pg_catalog.pg_index i
		join pg_catalog.pg_class c on c.oid = i.indrelid
		join pg_catalog.pg_class ic on ic.oid = i.indexrelid
		join pg_catalog.pg_namespace n on n.oid = c.relnamespace
		where n.nspname not in (${SYSTEM})
		group by n.nspname, c.relname, i.indrelid, i.indkey::text, i.indclass::text,
			i.indcollation::text, coalesce(pg_catalog.pg_get_expr(i.indexprs, i.indrelid), ''),
			coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), '')
		having count(*) > 1`
};

export const ALL_LINTS: Record<string, string> = { ...SECURITY_LINTS, ...PERFORMANCE_LINTS };

const PARTICIPANT_RPC = 'participant RPC in the exposed schema, checks auth.uid() itself';
const POLICY_HELPER =
	'RLS helper in `private` (not served by the Data API, so no RPC): policies run with the ' +
	"caller's privileges and need EXECUTE; it only answers a yes/no question about the caller";

/**
 * SECURITY DEFINER functions that `authenticated` may execute on purpose, each with its reason.
 * `anon` may execute none.
 */
export const AUTHENTICATED_DEFINER_ALLOWLIST: Record<string, string> = {
	'public.join_workshop(p_code text, p_display_name text, p_ui_language public.language_code, p_age_bracket public.age_bracket)': `${PARTICIPANT_RPC}: participants (anonymous sign-ins included) join with a code whose hash they cannot read`,
	'public.submit_piece(p_piece_id uuid)': `${PARTICIPANT_RPC}: the only way from draft/changes_requested to submitted; checks maker, state, photo, title and consent`,
	'public.withdraw_piece(p_piece_id uuid)': `${PARTICIPANT_RPC}: the maker withdraws their own piece from any state`,
	'public.moderate_piece(p_piece_id uuid, p_action public.moderation_action, p_expected_status public.piece_status, p_reason_codes text[], p_note text, p_note_language public.language_tag)':
		'staff RPC: re-reads the caller’s staff role on every call, refuses own pieces and missing consent, conditional UPDATE for concurrent moderators',
	'public.rotate_join_code(p_workshop_id uuid)':
		'staff RPC: admins and the workshop’s facilitators issue a new code, shown once',
	'public.create_return_ticket()': `${PARTICIPANT_RPC}: issues the caller’s own return code, shown once`,
	'public.take_quota(p_bucket text, p_limit integer, p_window interval, p_amount integer)': `${PARTICIPANT_RPC}: only ever counts the caller’s own usage up`,
	'public.delete_own_piece(p_piece_id uuid)': `${PARTICIPANT_RPC}: the maker erases their own piece in any state (GDPR Art. 17); deletes only where maker_id = auth.uid()`,
	'public.issue_return_ticket_for(p_user_id uuid)':
		'staff RPC: re-checks that the caller is staff for that participant (private.is_staff_for_user) and not the participant themself',
	'public.staff_members()':
		'admin RPC: re-checks the admin role; lists staff with their sign-in address from auth.users',
	'public.set_staff_access(p_user_id uuid, p_roles public.staff_role[], p_workshop_ids uuid[], p_invite boolean)':
		'admin RPC: re-checks the admin role, refuses anonymous accounts and self-demotion; triggers audit each change',
	'public.correct_piece_text(p_piece_id uuid, p_language public.language_tag, p_title text, p_caption text, p_story jsonb, p_alt_texts jsonb)':
		'staff RPC: re-checks workshop staff, refuses own pieces and pieces not under review or on show, records an edit_text event with the changes',
	'public.funder_report(p_from date, p_to date, p_workshop_id uuid, p_venue text)':
		'staff RPC: re-checks the moderator/admin role, returns only aggregate figures with counts below 5 suppressed (and their complements)',
	'public.set_submission_digest(p_enabled boolean)':
		'staff RPC: turns the caller’s own digest setting on or off; refuses non-staff',
	'private.is_anonymous_user(p_user_id uuid)':
		'trigger helper: the staff-role guard runs as the writer and asks whether the target account is an anonymous sign-in (reads auth.users)',
	'private.is_admin()': POLICY_HELPER,
	'private.is_moderator()': POLICY_HELPER,
	'private.is_facilitator_of(p_workshop_id uuid)': POLICY_HELPER,
	'private.is_workshop_staff(p_workshop_id uuid)': POLICY_HELPER,
	'private.is_workshop_member(p_workshop_id uuid)': POLICY_HELPER,
	'private.is_staff_for_user(p_user_id uuid)': POLICY_HELPER,
	'private.can_read_piece(p_piece_id uuid)': POLICY_HELPER,
	'private.can_edit_piece(p_piece_id uuid)': POLICY_HELPER,
	'private.can_curate_piece(p_piece_id uuid)': POLICY_HELPER,
	'private.is_piece_maker(p_piece_id uuid)': POLICY_HELPER,
	'private.is_piece_staff(p_piece_id uuid)': POLICY_HELPER,
	'private.is_public_story_item(p_story_id uuid, p_piece_id uuid)': POLICY_HELPER,
	'private.can_read_master(p_name text)': `${POLICY_HELPER} (storage.objects policy for the masters bucket)`,
	'private.can_read_voice_note(p_name text)': `${POLICY_HELPER} (storage.objects policy for the voice-notes bucket)`
};
