import { loadLegalText } from '$lib/server/legal';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({
	text: await loadLegalText('privacy', locals.locale)
});
