/**
 * The auth service's database access. GoTrue connects as `supabase_auth_admin` with
 * `search_path = auth` (spec §2.10); so do we, transaction-locally, so that app triggers on
 * auth.users run with the same privileges and name resolution as on Supabase.
 */
import type { Database, Queryable } from '../core/db.ts';

/** Runs `fn` in one transaction as `supabase_auth_admin` with `search_path = auth`. */
export function authTx<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
	return db.transaction(async (tx) => {
		await tx.query(
			`select set_config('role', 'supabase_auth_admin', true), set_config('search_path', 'auth', true)`
		);
		return fn(tx);
	});
}

/** RFC 3339 timestamp or undefined (GoTrue omits null timestamps from its JSON). */
export function iso(value: unknown): string | undefined {
	if (value === null || value === undefined) return undefined;
	if (value instanceof Date) return value.toISOString();
	const date = new Date(String(value));
	return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
