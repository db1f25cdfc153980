import { setPublicCache } from '$lib/server/gallery/cache';
import type { PageServerLoad } from './$types';

/** The about page: the same for every visitor in a language, so shared caches may keep it. */
export const load: PageServerLoad = (event) => {
	setPublicCache(event, { locale: event.locals.locale });
};
