import { fail } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const access = await requireStaff();
	const { data, error } = await locals.supabase
		.from('staff_settings')
		.select('submission_digest')
		.eq('user_id', access.user.id)
		.maybeSingle();
	if (error) throw error;
	return { digest: data?.submission_digest ?? false };
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		await requireStaff();
		const form = await request.formData();
		const { error } = await locals.supabase.rpc('set_submission_digest', {
			p_enabled: form.get('digest') === 'on'
		});
		if (error)
			return fail(400, { code: /^[a-z_]+$/.test(error.message) ? error.message : 'unexpected' });
		return { saved: true };
	}
};
