import type { SupabaseClient } from '@supabase/supabase-js';

/**
 * One run at a time per key, across every app instance. The photo endpoint keys it by user and
 * upload id, so a double tap or a retry racing the first request (on this instance or another)
 * cannot turn one upload into two photos (checklist G50): the second call is refused while the
 * first runs, and afterwards the original is gone. The lease lives in Postgres
 * (`begin_single_run`) and expires after `leaseSeconds`, so an instance that dies mid-run does not
 * block the upload for good.
 */

/** Thrown by `singleFlight` when a call with the same key is still running. */
export class DuplicateRequestError extends Error {
	constructor(readonly key: string) {
		super(`already running: ${key}`);
		this.name = 'DuplicateRequestError';
	}
}

/** Long enough for the slowest photo processing on an old server, short enough to retry after a crash. */
const DEFAULT_LEASE_SECONDS = 120;

/**
 * Runs `fn` unless a call with `key` is still running on any instance; then throws
 * `DuplicateRequestError`. `admin` is the service-role client (the lease functions are its alone).
 */
export async function singleFlight<T>(
	admin: SupabaseClient,
	key: string,
	fn: () => Promise<T>,
	leaseSeconds = DEFAULT_LEASE_SECONDS
): Promise<T> {
	const { data, error } = await admin.rpc('begin_single_run', {
		p_key: key,
		p_seconds: leaseSeconds
	});
	if (error) throw new Error(`begin_single_run failed: ${error.message}`, { cause: error });
	if (data !== true) throw new DuplicateRequestError(key);
	try {
		return await fn();
	} finally {
		const { error: endError } = await admin.rpc('end_single_run', { p_key: key });
		if (endError) console.error(`end_single_run ${key} failed (the lease expires):`, endError);
	}
}
