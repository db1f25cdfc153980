import type { SupabaseClient } from '@supabase/supabase-js';
import { logger } from './log.ts';

/*
 * Retention sweeper (security checklist item 46, issue 8). Removes what a participant started and
 * never finished, and what a crash or a failed clean-up left behind:
 *
 * - Abandoned uploads, after UPLOAD_RETENTION_MS (24 h, as Mastodon's media cleanup): originals
 *   still in `originals` (processing deletes them, so one that is still there was never processed
 *   or its processing failed and the participant gave up; it may carry GPS data), and files in
 *   `masters` or `public-media` that no photo row names (a server killed between writing files and
 *   inserting the row, an interrupted publish, a clean-up that failed while storage was down).
 *   The retention keeps the sweeper away from uploads in progress and from originals whose
 *   processing is being retried. Unfinished TUS uploads are not listed by the Storage API; the
 *   storage server drops them itself after 24 h (hosted Storage expires TUS upload URLs likewise,
 *   the local stack at start-up).
 * - Stale drafts, after DRAFT_RETENTION_MS (30 days without any change to the piece, its texts,
 *   photos or consent): the draft's rows, then its photos' files. Never-submitted pieces are the
 *   only ones swept; submitted, published, rejected or withdrawn pieces follow their own rules.
 *
 * Rows go first, then objects, so no row ever points at a removed object; an object whose removal
 * fails becomes unreferenced and the next run finds it. Objects are removed through the Storage API
 * (never by SQL on storage.objects, which would orphan the bytes). It runs at start-up and every
 * SWEEP_INTERVAL_MS (src/hooks.server.ts) with the service-role client, the only one allowed to
 * delete other people's files; the SQL it calls is in migration 20261126120500_sweeper.sql.
 */

export const UPLOAD_RETENTION_MS = 24 * 60 * 60 * 1000;
export const DRAFT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Rows per database call; a run loops until a batch comes back short. */
const BATCH = 500;
/** Bounds one run, so a huge backlog is worked off over several runs instead of one long one. */
const MAX_BATCHES = 20;
/** Paths per Storage API remove call. */
const REMOVE_CHUNK = 100;

export interface SweepOptions {
	/** The service-role client. */
	admin: SupabaseClient;
	uploadRetentionMs?: number;
	draftRetentionMs?: number;
	log?: (message: string) => void;
}

export interface SweepReport {
	/** Ids of the deleted drafts. */
	drafts: string[];
	/** Removed objects as `<bucket>/<path>`. */
	objects: string[];
	/** What could not be done this time (the next run tries again). */
	errors: string[];
}

const interval = (ms: number) => `${Math.max(0, Math.floor(ms / 1000))} seconds`;

async function removeObjects(
	admin: SupabaseClient,
	bucket: string,
	paths: string[],
	report: SweepReport
): Promise<void> {
	for (let i = 0; i < paths.length; i += REMOVE_CHUNK) {
		const chunk = paths.slice(i, i + REMOVE_CHUNK);
		const { data, error } = await admin.storage.from(bucket).remove(chunk);
		if (error) {
			report.errors.push(`remove ${bucket}: ${error.message}`);
			continue;
		}
		for (const object of data ?? []) report.objects.push(`${bucket}/${object.name}`);
	}
}

async function sweepDrafts(
	admin: SupabaseClient,
	retentionMs: number,
	report: SweepReport
): Promise<void> {
	for (let batch = 0; batch < MAX_BATCHES; batch++) {
		const { data, error } = await admin.rpc('sweeper_delete_stale_drafts', {
			p_older_than: interval(retentionMs),
			p_limit: BATCH
		});
		if (error) {
			report.errors.push(`drafts: ${error.message}`);
			return;
		}
		const rows = (data ?? []) as { piece_id: string; path: string | null }[];
		const pieces = new Set(rows.map((r) => r.piece_id));
		report.drafts.push(...pieces);
		const paths = rows.flatMap((r) => (r.path ? [r.path] : []));
		await removeObjects(admin, 'masters', paths, report);
		if (pieces.size < BATCH) return;
	}
}

async function sweepOrphans(
	admin: SupabaseClient,
	retentionMs: number,
	report: SweepReport
): Promise<void> {
	for (let batch = 0; batch < MAX_BATCHES; batch++) {
		const { data, error } = await admin.rpc('sweeper_orphan_objects', {
			p_older_than: interval(retentionMs),
			p_limit: BATCH
		});
		if (error) {
			report.errors.push(`orphans: ${error.message}`);
			return;
		}
		const rows = (data ?? []) as { bucket_id: string; name: string }[];
		const byBucket = new Map<string, string[]>();
		for (const row of rows)
			byBucket.set(row.bucket_id, [...(byBucket.get(row.bucket_id) ?? []), row.name]);
		const before = report.objects.length + report.errors.length;
		for (const [bucket, paths] of byBucket) await removeObjects(admin, bucket, paths, report);
		// A short batch is the last one; a batch that removed nothing would only repeat itself.
		if (rows.length < BATCH || report.objects.length + report.errors.length === before) return;
	}
}

/**
 * One sweep: stale drafts first (their files become removable at once), then abandoned and
 * orphaned objects. Never throws: what failed is in `errors` and is retried on the next run.
 */
export async function sweep(options: SweepOptions): Promise<SweepReport> {
	const { admin } = options;
	const log = options.log ?? ((message: string) => logger.info(message));
	const report: SweepReport = { drafts: [], objects: [], errors: [] };
	try {
		await sweepDrafts(admin, options.draftRetentionMs ?? DRAFT_RETENTION_MS, report);
		await sweepOrphans(admin, options.uploadRetentionMs ?? UPLOAD_RETENTION_MS, report);
		// Idle rate-limit buckets and expired run leases (the instances' shared state).
		const shared = await admin.rpc('sweep_shared_limits');
		if (shared.error) report.errors.push(`sweep_shared_limits: ${shared.error.message}`);
		// Erasure register entries older than any backup that could still hold the data.
		const register = await admin.rpc('sweep_erasure_register');
		if (register.error) report.errors.push(`sweep_erasure_register: ${register.error.message}`);
	} catch (error) {
		report.errors.push(error instanceof Error ? error.message : String(error));
	}
	if (report.drafts.length > 0) {
		log(`[sweeper] deleted ${report.drafts.length} stale draft(s): ${report.drafts.join(', ')}`);
	}
	if (report.objects.length > 0) {
		log(`[sweeper] removed ${report.objects.length} object(s): ${report.objects.join(', ')}`);
	}
	for (const message of report.errors) log(`[sweeper] failed, will retry: ${message}`);
	return report;
}

export interface SweeperHandle {
	/** Resolves with the report of the run in progress or the next one. */
	runNow(): Promise<SweepReport>;
	stop(): void;
}

/**
 * Sweeps now and then every `intervalMs`. The timer is unref'd (it never keeps the process alive)
 * and runs never overlap. `admin` is a factory so a missing key fails the run, not the start-up.
 */
export function startSweeper(
	options: Omit<SweepOptions, 'admin'> & {
		admin: () => SupabaseClient;
		intervalMs?: number;
	}
): SweeperHandle {
	let running: Promise<SweepReport> | null = null;
	const log = options.log ?? ((message: string) => logger.info(message));
	const runNow = () => {
		running ??= (async () => {
			try {
				return await sweep({ ...options, admin: options.admin(), log });
			} catch (error) {
				const message = error instanceof Error ? error.message : String(error);
				log(`[sweeper] failed, will retry: ${message}`);
				return { drafts: [], objects: [], errors: [message] };
			} finally {
				running = null;
			}
		})();
		return running;
	};
	const first = setTimeout(() => void runNow(), 0);
	const timer = setInterval(() => void runNow(), options.intervalMs ?? SWEEP_INTERVAL_MS);
	first.unref();
	timer.unref();
	return {
		runNow,
		stop() {
			clearTimeout(first);
			clearInterval(timer);
		}
	};
}
