import type { SupabaseClient } from '@supabase/supabase-js';
import { logger } from './log.ts';

/**
 * One run at a time per key, across every app instance. The photo endpoint keys it by user and
 * upload id, so a double tap or a retry racing the first request (on this instance or another)
 * cannot turn one upload into two photos (checklist G50): the second call is refused while the
 * first runs, and afterwards the original is gone. The lease lives in Postgres
 * (`begin_single_run`), renewed while the run goes on.
 */

/** Thrown by `singleFlight` when a call with the same key is still running. */
export class DuplicateRequestError extends Error {
	constructor(readonly key: string) {
		super(`already running: ${key}`);
		this.name = 'DuplicateRequestError';
	}
}

/**
 * A lease lasts this long and is renewed every third of it while the run goes on, so a run may take
 * as long as it needs, and an instance that dies mid-run blocks a retry for at most this long.
 */
const LEASE_SECONDS = 30;

/**
 * Runs `fn` unless a call with `key` is still running on any instance; then throws
 * `DuplicateRequestError`. `admin` is the service-role client (the lease functions are its alone).
 */
export async function singleFlight<T>(
	admin: SupabaseClient,
	key: string,
	fn: () => Promise<T>,
	leaseSeconds = LEASE_SECONDS
): Promise<T> {
	const holder = crypto.randomUUID();
	const take = () =>
		admin.rpc('begin_single_run', { p_key: key, p_holder: holder, p_seconds: leaseSeconds });
	const { data, error } = await take();
	if (error) throw new Error(`begin_single_run failed: ${error.message}`, { cause: error });
	if (data !== true) throw new DuplicateRequestError(key);
	const renew = setInterval(
		() => {
			void take().then(({ error: renewError }) => {
				if (renewError) logger.error('renewing a run lease failed', renewError);
			});
		},
		(leaseSeconds * 1000) / 3
	);
	try {
		return await fn();
	} finally {
		clearInterval(renew);
		const { error: endError } = await admin.rpc('end_single_run', {
			p_key: key,
			p_holder: holder
		});
		if (endError) logger.error('end_single_run failed (the lease expires)', endError);
	}
}
