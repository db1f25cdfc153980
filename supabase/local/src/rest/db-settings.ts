/**
 * PostgREST's in-database configuration (`db-config`): `pgrst.*` settings of the authenticator
 * role, for this database or all of them, re-read on `NOTIFY pgrst, 'reload config'`. This is how
 * Supabase projects switch on `db_plan_enabled` (`alter role authenticator set pgrst.… to …`).
 */
import type { Queryable } from '../core/db.ts';

// Config/Database.hs `queryDbSettings`: a database-specific value wins over the all-databases one.
const DB_SETTINGS_SQL = `
with role_setting as (
	select setdatabase as database, unnest(setconfig) as setting
	from pg_catalog.pg_db_role_setting
	where setrole = (select oid from pg_catalog.pg_roles where rolname = 'authenticator')
		and setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_catalog))
)
select distinct on (key) replace(substr(setting, 1, strpos(setting, '=') - 1), 'pgrst.', '') as key,
	substr(setting, strpos(setting, '=') + 1) as value
from role_setting
where setting like 'pgrst.%'
order by key, database desc`;

/** The `pgrst.` settings of the authenticator role, keyed without the prefix. */
export async function loadDbSettings(db: Queryable): Promise<Map<string, string>> {
	const rows = (await db.query<{ key: string; value: string }>(DB_SETTINGS_SQL)).rows;
	return new Map(rows.map((r) => [r.key, r.value]));
}

/** PostgREST's boolean config values, case-insensitively. */
export function settingEnabled(value: string | undefined): boolean {
	return ['true', 't', 'on', 'yes', 'y', '1'].includes((value ?? '').trim().toLowerCase());
}
