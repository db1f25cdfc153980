import { setPublicCache } from '#lib/server/gallery/cache.ts';
import { embedStory } from '#lib/server/embed/content.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { story, blocks } = await embedStory(event.locals.locale, event.params.id);
	const { origins } = await event.parent();
	setPublicCache(event, { story, blocks, origins });
	return { story, blocks };
};
