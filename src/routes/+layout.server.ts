import { isEmbedRoute } from '#lib/embed.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, route }) => {
	// Embed pages show every visitor the same public page: no session is read, none refreshed,
	// so no cookie is ever set inside another site's frame.
	if (isEmbedRoute(route.id)) return { user: null, locale: locals.locale };
	const { user } = await locals.safeGetSession();
	return { user, locale: locals.locale };
};
