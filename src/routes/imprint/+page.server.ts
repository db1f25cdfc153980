import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { loadLegalText } from '#lib/server/legal.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const data = { text: await loadLegalText('imprint', event.locals.locale) };
	setPublicCache(event, data);
	return data;
};

// Rendered on the server only: no client-side app to download and hydrate (see #lib/enhance).
export const csr = false;
