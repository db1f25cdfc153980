import { fail, redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { requireStaff } from '#lib/server/auth.ts';
import type { Actions, PageServerLoad } from './$types';

const MIN_PASSWORD = 10;

/** Where an invitation link lands (via /auth/confirm): the new staff member sets a password. */
export const load: PageServerLoad = async () => {
	const access = await requireStaff();
	return { email: access.user.email ?? '' };
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		await requireStaff();
		const password = (await request.formData()).get('password');
		if (typeof password !== 'string' || password.length < MIN_PASSWORD) {
			return fail(400, { code: 'password_short' as const });
		}
		const { error } = await locals.supabase.auth.updateUser({ password });
		if (error) return fail(400, { code: 'password_short' as const });
		redirect(303, localizeHref('/staff', { locale: locals.locale }));
	}
};
