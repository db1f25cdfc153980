import { error } from '@sveltejs/kit';
import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { loadWorkshopShow } from '#lib/server/gallery/kiosk.ts';
import { kioskInterval } from '../../interval';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { slug } = event.params;
	if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) {
		error(404, 'Not found', { code: 'workshop_not_found' });
	}
	const show = await loadWorkshopShow(event.locals.supabase, event.locals.locale, slug);
	const data = { show, intervalMs: kioskInterval(event.url) };
	setPublicCache(event, data);
	return data;
};
