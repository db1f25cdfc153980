import * as env from '$app/env/private';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import { logger } from '../log.ts';
import { appMailer, siteUrl } from './index';
import { sendSubmissionDigests } from './notify';

/** How often the digest of new submissions goes out by default. */
export const DIGEST_INTERVAL_MINUTES = 60;

let timer: ReturnType<typeof setInterval> | undefined;

/**
 * Sends due submission digests every `DIGEST_INTERVAL_MINUTES` (env, default 60; 0 turns the
 * schedule off, e.g. on a second instance or when an external cron calls the admin page's
 * "send digests now" instead). Runs in the app server; failures are logged and retried next time.
 */
export function startDigestSchedule(): void {
	const minutes = Number(env.DIGEST_INTERVAL_MINUTES ?? DIGEST_INTERVAL_MINUTES);
	if (timer || !(minutes > 0) || !env.SUPABASE_SECRET_KEY) return;
	timer = setInterval(() => {
		// Service role: the digest spans every opted-in staff member and their addresses.
		sendSubmissionDigests(supabaseAdmin(), appMailer(), siteUrl()).catch((error) =>
			logger.error('submission digest failed', error)
		);
	}, minutes * 60_000);
	timer.unref?.();
}
