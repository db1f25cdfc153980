import { requireStaff } from '#lib/server/auth.ts';
import { isUuid } from '#lib/server/pieces/photos.ts';
import {
	loadShareKitSource,
	shareKitRefusal,
	type ShareKitRefusal
} from '#lib/server/share/kit.ts';
import { buildShareKit } from '#lib/server/share/render.ts';
import { m } from '#lib/paraglide/messages.js';
import type { RequestHandler } from './$types';

const REFUSALS: Record<ShareKitRefusal, { status: number; text: () => string }> = {
	share_kit_not_staff: { status: 403, text: () => m.staff_share_not_allowed() },
	share_kit_not_found: { status: 404, text: () => m.staff_share_not_found() },
	// Gone: it was (or could have been) shared, and is not any more.
	share_kit_not_published: { status: 410, text: () => m.staff_share_not_published() },
	share_kit_no_consent: { status: 403, text: () => m.staff_share_no_consent() }
};

function refuse(code: ShareKitRefusal): Response {
	const { status, text } = REFUSALS[code];
	return new Response(`${text()}\n`, {
		status,
		headers: {
			'content-type': 'text/plain; charset=utf-8',
			'cache-control': 'private, no-store',
			'x-error-code': code
		}
	});
}

/**
 * The share kit of a published piece, made on request and never stored: whether it may be made is
 * asked of Postgres each time, so a withdrawn social-media consent ends it at once.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	await requireStaff();
	if (!isUuid(params.id)) return refuse('share_kit_not_found');
	const refusal = await shareKitRefusal(locals.supabase, params.id);
	if (refusal) return refuse(refusal);
	const source = await loadShareKitSource(locals.supabase, params.id, url.origin);
	if (!source) return refuse('share_kit_not_found');
	const zip = await buildShareKit(source.photo, source.text);
	return new Response(new Uint8Array(zip), {
		headers: {
			'content-type': 'application/zip',
			'content-disposition': `attachment; filename="share-kit-${params.id.slice(0, 8)}.zip"`,
			'cache-control': 'private, no-store'
		}
	});
};
