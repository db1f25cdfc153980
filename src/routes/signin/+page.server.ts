import { fail, redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { safeNextPath } from '#lib/server/auth.ts';
import { field, rateLimited } from '#lib/server/participant/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const load: PageServerLoad = ({ url }) => ({
	linkError: url.searchParams.get('error') === 'link_invalid'
});

export const actions: Actions = {
	password: async ({ request, locals, url }) => {
		const limited = await rateLimited('password');
		if (limited) return limited;
		const form = await request.formData();
		const email = field(form, 'email');
		const password = form.get('password');
		const values = { email };
		if (!EMAIL.test(email)) return fail(400, { code: 'email_invalid', values });
		if (typeof password !== 'string' || password === '') {
			return fail(400, { code: 'password_required', values });
		}
		const { error } = await locals.supabase.auth.signInWithPassword({ email, password });
		if (error) return fail(400, { code: 'invalid_credentials', values });
		redirect(
			303,
			localizeHref(safeNextPath(url.searchParams.get('next')), { locale: locals.locale })
		);
	},

	magic: async ({ request, locals, url }) => {
		const limited = await rateLimited('magicLink');
		if (limited) return limited;
		const email = field(await request.formData(), 'email');
		if (!EMAIL.test(email)) return fail(400, { code: 'email_invalid', values: { email } });
		const confirm = new URL('/auth/confirm', url.origin);
		confirm.searchParams.set('next', safeNextPath(url.searchParams.get('next')));
		// The answer is the same whether or not the address has an account, so the form cannot be
		// used to find out who takes part.
		const { error } = await locals.supabase.auth.signInWithOtp({
			email,
			options: { shouldCreateUser: false, emailRedirectTo: confirm.href }
		});
		if (error && error.status !== undefined && error.status >= 500) throw error;
		return { sent: true as const, values: { email } };
	}
};
