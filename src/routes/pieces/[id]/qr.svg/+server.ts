import { error } from '@sveltejs/kit';
import QRCode from 'qrcode';
import { publicCacheHeaders } from '#lib/server/gallery/cache.ts';
import { localizeUrl } from '#lib/paraglide/runtime.js';
import type { RequestHandler } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A QR code of the piece's canonical URL, for printed labels and phones in the room. */
export const GET: RequestHandler = async ({ params, url, locals }) => {
	if (!UUID.test(params.id)) error(404, 'Piece not found', { code: 'piece_not_found' });
	const target = localizeUrl(new URL(`/pieces/${params.id}`, url.origin), {
		locale: locals.locale
	});
	const svg = await QRCode.toString(target.href, {
		type: 'svg',
		margin: 2,
		errorCorrectionLevel: 'M'
	});
	return new Response(svg, {
		headers: { 'content-type': 'image/svg+xml', ...publicCacheHeaders(svg) }
	});
};
