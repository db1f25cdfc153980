import { fail, redirect } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import { pickLabel, type LanguageMap } from '#lib/server/gallery/queries.ts';
import { localizeHref } from '#lib/i18n/href.ts';
import { readWorkshopForm, toRow } from './workshop-form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const access = await requireStaff();
	const { data, error } = await locals.supabase
		.from('workshops')
		.select('id, slug, title, venue_name, starts_on, ends_on, joining_open')
		.order('starts_on', { ascending: false });
	if (error) throw error;
	return {
		canCreate: access.isAdmin,
		workshops: data
			// Facilitators manage their own workshops; admins and moderators see all of them.
			.filter((w) => access.isModerator || access.facilitatorOf.includes(w.id))
			.map((w) => ({
				id: w.id as string,
				title: pickLabel(w.title as LanguageMap, locals.locale),
				venue: w.venue_name as string,
				startsOn: w.starts_on as string,
				endsOn: w.ends_on as string | null,
				joiningOpen: w.joining_open as boolean,
				mine: access.facilitatorOf.includes(w.id)
			}))
	};
};

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const access = await requireStaff();
		const { values, code } = readWorkshopForm(await request.formData());
		if (!access.isAdmin) return fail(403, { code: 'not_admin', values });
		if (code) return fail(400, { code, values });
		if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(values.slug)) {
			return fail(400, { code: 'invalid_input', values });
		}
		// RLS: only admins insert workshops.
		const { data, error } = await locals.supabase
			.from('workshops')
			.insert({ ...toRow(values), slug: values.slug, created_by: access.user.id })
			.select('id')
			.single();
		if (error) {
			const taken = error.code === '23505';
			return fail(taken ? 409 : 400, { code: taken ? 'slug_taken' : 'invalid_input', values });
		}
		redirect(303, localizeHref(`/staff/workshops/${data.id}`, { locale: locals.locale }));
	}
};
