import { error } from '@sveltejs/kit';
import sharp from 'sharp';
import { publicCacheHeaders } from '#lib/server/gallery/cache.ts';
import { loadPiece } from '#lib/server/gallery/queries.ts';
import { configureSharp } from '#lib/server/images/config.ts';
import type { RequestHandler } from './$types';

const WIDTH = 1200;
const HEIGHT = 630;
const BAND = 150;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

configureSharp();

function escapeMarkup(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The OpenGraph/Twitter card image: the cover photo cropped to 1.91:1 with the title on a band. */
export const GET: RequestHandler = async ({ params, locals, fetch }) => {
	if (!UUID.test(params.id)) error(404, 'Piece not found', { code: 'piece_not_found' });
	const { piece } = await loadPiece(locals.supabase, locals.locale, params.id);
	const cover = piece.photos[0];
	const background = cover?.dominantColor ?? '#2e3b72';

	let base = sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background } });
	if (cover?.largest) {
		const response = await fetch(cover.largest);
		if (response.ok) {
			base = sharp(Buffer.from(await response.arrayBuffer()), { failOn: 'warning' }).resize(
				WIDTH,
				HEIGHT,
				{ fit: 'cover' }
			);
		}
	}
	const band = await sharp({
		create: {
			width: WIDTH,
			height: BAND,
			channels: 4,
			background: { r: 20, g: 18, b: 24, alpha: 0.72 }
		}
	})
		.png()
		.toBuffer();
	const title = await sharp({
		text: {
			text: `<span foreground="#fffaf2">${escapeMarkup(piece.shown.title)}</span>`,
			font: 'sans bold 54',
			width: WIDTH - 96,
			height: BAND - 40,
			rgba: true,
			wrap: 'word-char'
		}
	})
		.png()
		.toBuffer();
	const png = await base
		.composite([
			{ input: band, top: HEIGHT - BAND, left: 0 },
			{ input: title, top: HEIGHT - BAND + 24, left: 48 }
		])
		.jpeg({ quality: 82, progressive: true })
		.toBuffer();
	return new Response(new Uint8Array(png), {
		headers: { 'content-type': 'image/jpeg', ...publicCacheHeaders(png) }
	});
};
