import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { embedWorkshop } from '#lib/server/embed/content.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const workshop = await embedWorkshop(event.locals.locale, event.params.id);
	const { origins } = await event.parent();
	setPublicCache(event, { workshop, origins });
	return { workshop };
};
