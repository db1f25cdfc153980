import { error } from '@sveltejs/kit';
import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { loadStoryShow } from '#lib/server/gallery/kiosk.ts';
import { kioskInterval } from '../../interval';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { slug } = event.params;
	if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) {
		error(404, 'Not found', { code: 'story_not_found' });
	}
	const show = await loadStoryShow(event.locals.supabase, event.locals.locale, slug);
	const data = { show, intervalMs: kioskInterval(event.url) };
	setPublicCache(event, data);
	return data;
};
