import { setPublicCache } from '#lib/server/gallery/cache.ts';
import type { PageServerLoad } from './$types';

/** The home page: the same for every visitor in a language, so shared caches may keep it. */
export const load: PageServerLoad = (event) => {
	setPublicCache(event, { locale: event.locals.locale });
};

// Rendered on the server only: no client-side app to download and hydrate (see #lib/enhance).
export const csr = false;
