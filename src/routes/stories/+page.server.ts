import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { loadStories } from '#lib/server/gallery/stories.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const stories = await loadStories(event.locals.supabase, event.locals.locale);
	setPublicCache(event, stories);
	return { stories };
};

// Rendered on the server only: no client-side app to download and hydrate (see #lib/enhance).
export const csr = false;
