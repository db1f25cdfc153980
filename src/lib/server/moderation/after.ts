import * as env from '$app/env/private';
import { appMailer, notifyMaker, siteUrl } from '#lib/server/mail/index.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { StaffAction } from './actions';
import { affectedUrls, createPurger, type Purger } from './purge';
import { logger } from '#lib/server/log.ts';

let purger: Purger | undefined;

/** The cache purger from `CACHE_PURGE_URL` / `CACHE_PURGE_TOKEN` (a no-op when unset). */
export function cachePurger(): Purger {
	purger ??= createPurger(env.CACHE_PURGE_URL, env.CACHE_PURGE_TOKEN);
	return purger;
}

/**
 * Purges caches for a piece that entered or left the gallery. Logged, never thrown: the decision
 * stands even if the CDN is unreachable (its entries then expire by themselves).
 */
export async function purgePiece(pieceId: string, origin: string): Promise<void> {
	const p = cachePurger();
	if (!p.enabled) return;
	try {
		await p.purge(affectedUrls(siteUrl(origin), pieceId));
	} catch (error) {
		logger.error('cache purge failed', error, { piece_id: pieceId });
	}
}

const MAILED: Partial<Record<StaffAction, 'published' | 'changes_requested' | 'rejected'>> = {
	publish: 'published',
	request_changes: 'changes_requested',
	reject: 'rejected',
	// Taken offline goes back to "changes requested": the maker hears why, like any request.
	unpublish: 'changes_requested'
};

/** What follows a decision that took effect: purge public caches, then tell the maker. */
export async function afterDecision(input: {
	pieceId: string;
	action: StaffAction;
	reasonCodes: string[];
	note: string | null;
	origin: string;
}): Promise<void> {
	if (input.action !== 'request_changes') await purgePiece(input.pieceId, input.origin);
	const kind = MAILED[input.action];
	if (!kind) return;
	// Service role: the maker's address is only readable through the Auth admin API.
	await notifyMaker(supabaseAdmin(), appMailer(), {
		pieceId: input.pieceId,
		kind,
		reasonCodes: input.reasonCodes,
		note: input.note,
		siteUrl: siteUrl(input.origin)
	});
}
