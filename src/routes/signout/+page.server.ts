import { redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({
	accountDeleted: url.searchParams.get('done') === 'deleted'
});

export const actions: Actions = {
	default: async ({ locals }) => {
		await locals.supabase.auth.signOut({ scope: 'local' });
		redirect(303, localizeHref('/signout?done=signed_out', { locale: locals.locale }));
	}
};
