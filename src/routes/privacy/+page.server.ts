import { setPublicCache } from '$lib/server/gallery/cache';
import { loadLegalText } from '$lib/server/legal';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const data = { text: await loadLegalText('privacy', event.locals.locale) };
	setPublicCache(event, data);
	return data;
};
