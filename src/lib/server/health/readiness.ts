import type { SupabaseClient } from '@supabase/supabase-js';

export type CheckOutcome = 'ok' | 'failed' | 'timeout';

export interface ReadinessReport {
	status: 'ready' | 'unavailable';
	checks: { database: CheckOutcome; storage: CheckOutcome };
}

/** Each check gets this long; a health probe must not hang on a database that hangs. */
export const READINESS_TIMEOUT_MS = 2000;

/** `probe` settles within `ms`: ok when it resolved true, failed when false or thrown. */
async function within(probe: () => Promise<boolean>, ms: number): Promise<CheckOutcome> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<CheckOutcome>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), ms);
	});
	try {
		return await Promise.race([
			probe().then(
				(ok): CheckOutcome => (ok ? 'ok' : 'failed'),
				(): CheckOutcome => 'failed'
			),
			timeout
		]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The database through the Data API (the smallest service-role function there is) and storage
 * through its API (the bucket the photos' masters live in), both as this instance reaches them.
 */
export async function readiness(
	admin: () => SupabaseClient,
	timeoutMs = READINESS_TIMEOUT_MS
): Promise<ReadinessReport> {
	const [database, storage] = await Promise.all([
		within(async () => !(await admin().rpc('page_cache_version')).error, timeoutMs),
		within(async () => !(await admin().storage.getBucket('masters')).error, timeoutMs)
	]);
	const ready = database === 'ok' && storage === 'ok';
	return { status: ready ? 'ready' : 'unavailable', checks: { database, storage } };
}

let lastProbe: { at: number; answer: Promise<boolean> } | null = null;

/**
 * Whether the database answers now, asked at most once a second (one probe for every request that
 * fails meanwhile): for an error that does not say by itself that the database is away.
 */
export function databaseAnswers(admin: () => SupabaseClient, timeoutMs = 1000): Promise<boolean> {
	const now = Date.now();
	if (lastProbe && now - lastProbe.at < 1000) return lastProbe.answer;
	let client: SupabaseClient;
	try {
		client = admin();
	} catch {
		// Not configured: nothing to ask, so no reason to blame the database.
		return Promise.resolve(true);
	}
	const answer = within(
		async () => !(await client.rpc('page_cache_version')).error,
		timeoutMs
	).then((outcome) => outcome === 'ok');
	lastProbe = { at: now, answer };
	return answer;
}
