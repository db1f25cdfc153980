import { error } from '@sveltejs/kit';
import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { loadStory } from '#lib/server/gallery/stories.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { slug } = event.params;
	if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) {
		error(404, 'Story not found', { code: 'story_not_found' });
	}
	const data = await loadStory(event.locals.supabase, event.locals.locale, slug);
	setPublicCache(event, data);
	return data;
};

// Rendered on the server only: no client-side app to download and hydrate (see #lib/enhance).
export const csr = false;
