import type { RequestHandler } from '@sveltejs/kit';
import { isPieceError } from '#lib/server/pieces/errors.ts';
import {
	deleteVoiceNote,
	isVoiceError,
	saveVoiceNote,
	VOICE_MAX_BYTES
} from '#lib/server/pieces/voice.ts';
import { takeUserRateLimit } from '#lib/server/rate-limit.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';

/** Reads at most `limit` bytes of the body; null when it is longer (nothing more is buffered). */
async function readLimited(request: Request, limit: number): Promise<Uint8Array | null> {
	const declared = Number(request.headers.get('content-length') ?? '0');
	if (declared > limit) return null;
	const reader = request.body?.getReader();
	if (!reader) return new Uint8Array();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.length;
		if (total > limit) {
			await reader.cancel();
			return null;
		}
		chunks.push(value);
	}
	const body = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		body.set(chunk, offset);
		offset += chunk.length;
	}
	return body;
}

async function guard(request: Request, url: URL, locals: App.Locals) {
	// JSON/binary endpoints are outside SvelteKit's form CSRF check, so the Origin is checked here.
	if (request.headers.get('origin') !== url.origin) {
		return { response: Response.json({ code: 'piece_forbidden' }, { status: 403 }) };
	}
	const { user } = await locals.safeGetSession();
	if (!user) return { response: Response.json({ code: 'piece_signed_out' }, { status: 401 }) };
	if (!(await takeUserRateLimit('voice', user.id))) {
		return { response: Response.json({ code: 'piece_rate_limited' }, { status: 429 }) };
	}
	return { user };
}

function refusal(error: unknown) {
	if (isVoiceError(error) || isPieceError(error)) {
		return Response.json({ code: error.code }, { status: error.status });
	}
	throw error;
}

/**
 * Stores a recorded voice note for the piece: the body is the recording itself, `?language=` its
 * language tag. The container and duration are checked before anything is written.
 */
export const POST: RequestHandler = async ({ request, params, locals, url }) => {
	const checked = await guard(request, url, locals);
	if (!checked.user) return checked.response;
	const bytes = await readLimited(request, VOICE_MAX_BYTES);
	if (!bytes) return Response.json({ code: 'piece_voice_too_large' }, { status: 413 });
	try {
		const saved = await saveVoiceNote(
			locals.supabase,
			// Service role: the only writer of the voice-notes bucket and table (see voice.ts).
			supabaseAdmin(),
			checked.user.id,
			params.pieceId,
			url.searchParams.get('language') ?? '',
			bytes
		);
		return Response.json({ voice: saved }, { status: 201 });
	} catch (error) {
		return refusal(error);
	}
};

/** Deletes the piece's voice note (row and recording). */
export const DELETE: RequestHandler = async ({ request, params, locals, url }) => {
	const checked = await guard(request, url, locals);
	if (!checked.user) return checked.response;
	try {
		// Service role: as for POST, only the server writes voice notes.
		await deleteVoiceNote(locals.supabase, supabaseAdmin(), checked.user.id, params.pieceId);
		return new Response(null, { status: 204 });
	} catch (error) {
		return refusal(error);
	}
};
