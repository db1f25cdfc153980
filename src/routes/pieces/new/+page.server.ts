import { fail, redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { requireUser } from '#lib/server/auth.ts';
import { field } from '#lib/server/participant/forms.ts';
import { createDraft, memberWorkshops } from '#lib/server/pieces/drafts.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = await requireUser();
	const workshops = await memberWorkshops(locals.supabase, user.id);
	return {
		workshops: workshops.map((w) => ({
			id: w.id,
			title: w.title[locals.locale] ?? w.title.de ?? Object.values(w.title)[0] ?? ''
		}))
	};
};

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const user = await requireUser();
		const form = await request.formData();
		const language = field(form, 'language');
		const workshop = field(form, 'workshop');
		const id = await createDraft(locals.supabase, user.id, workshop, language);
		if (!id) return fail(400, { code: 'piece_language_invalid', values: { language, workshop } });
		redirect(303, localizeHref(`/me/pieces/${id}/edit`, { locale: locals.locale }));
	}
};
