import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { embedPiece } from '#lib/server/embed/content.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { piece } = await embedPiece(event.locals.locale, event.params.id);
	const { origins } = await event.parent();
	// The allowed origins are part of what is served (the CSP header), so part of the ETag too.
	setPublicCache(event, { piece, origins });
	return { piece, locale: event.locals.locale };
};
