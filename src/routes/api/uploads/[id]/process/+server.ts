import type { RequestHandler } from '@sveltejs/kit';
import { isPieceError } from '#lib/server/pieces/errors.ts';
import { logger } from '#lib/server/log.ts';
import { processUpload } from '#lib/server/pieces/photos.ts';
import { isStorageQuotaError, takeUserRateLimit } from '#lib/server/rate-limit.ts';
import { DuplicateRequestError, singleFlight } from '#lib/server/single-flight.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';

/**
 * Turns the original the browser uploaded with TUS (`originals/<user_id>/<id>`) into a stored photo
 * of a piece. JSON endpoints are outside SvelteKit's form CSRF check, so the Origin is checked here.
 */
export const POST: RequestHandler = async ({ request, params, locals, url }) => {
	if (request.headers.get('origin') !== url.origin) {
		return Response.json({ code: 'piece_forbidden' }, { status: 403 });
	}
	const { user } = await locals.safeGetSession();
	if (!user) return Response.json({ code: 'piece_signed_out' }, { status: 401 });
	if (!(await takeUserRateLimit('upload', user.id))) {
		return Response.json({ code: 'piece_rate_limited' }, { status: 429 });
	}
	let body: { pieceId?: unknown; role?: unknown };
	try {
		body = await request.json();
	} catch {
		return Response.json({ code: 'piece_upload_invalid' }, { status: 400 });
	}
	try {
		// One run per upload: a double tap must not make two photos of one file.
		const photo = await singleFlight(supabaseAdmin(), `${user.id}/${params.id}`, () =>
			processUpload({
				supabase: locals.supabase,
				// Service role only to write the `masters` bucket (no insert policy: only the server may
				// vouch that a file there is a scrubbed re-encode) and to clean up after a failure.
				admin: supabaseAdmin(),
				userId: user.id,
				uploadId: params.id,
				pieceId: body?.pieceId,
				role: body?.role
			})
		);
		return Response.json({ photo }, { status: 201 });
	} catch (error) {
		if (isPieceError(error)) {
			// 503s are faults the client retries; log their cause, the answer only carries the code.
			if (error.status >= 500) logger.warn('upload: retryable failure', error.cause ?? error);
			return Response.json({ code: error.code }, { status: error.status });
		}
		if (isStorageQuotaError(error))
			return Response.json({ code: 'security_storage_full' }, { status: 413 });
		if (error instanceof DuplicateRequestError) {
			return Response.json({ code: 'security_upload_in_progress' }, { status: 409 });
		}
		throw error;
	}
};
