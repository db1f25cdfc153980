import { readiness } from '#lib/server/health/readiness.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { RequestHandler } from './$types';

/**
 * Readiness: the database and storage answer within a timeout (200), or not (503, so the load
 * balancer sends visitors to another instance). The body names each check and its outcome, never
 * a URL, a key or an error text.
 */
export const GET: RequestHandler = async () => {
	const report = await readiness(supabaseAdmin);
	return Response.json(report, {
		status: report.status === 'ready' ? 200 : 503,
		headers: { 'cache-control': 'no-store' }
	});
};
