import { error } from '@sveltejs/kit';
import { requireUser } from '#lib/server/auth.ts';
import { collectExport, zipStream } from '#lib/server/participant/export.ts';
import { rpcErrorCode } from '#lib/server/participant/forms.ts';
import type { RequestHandler } from './$types';

/** The caller's data as a ZIP, read with their own client (RLS decides), built as it streams. */
export const GET: RequestHandler = async ({ locals }) => {
	const user = await requireUser();
	// Each export reads every photo: a per-user quota keeps it from becoming a load generator.
	const quota = await locals.supabase.rpc('take_quota', {
		p_bucket: 'data_export',
		p_limit: 10,
		p_window: '1 hour'
	});
	if (quota.error) {
		if (rpcErrorCode(quota.error) === 'quota_exceeded') {
			error(429, 'Too many exports', { code: 'rate_limited' });
		}
		throw quota.error;
	}
	const files = await collectExport(locals.supabase, user.id);
	const day = new Date().toISOString().slice(0, 10);
	return new Response(zipStream(files), {
		headers: {
			'Content-Type': 'application/zip',
			'Content-Disposition': `attachment; filename="connecting-thread-my-data-${day}.zip"`,
			'Cache-Control': 'private, no-store'
		}
	});
};
