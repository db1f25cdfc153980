import { fail } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import { readProjectForm } from '#lib/server/report/project-settings.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const access = await requireStaff();
	const [digest, project] = await Promise.all([
		locals.supabase
			.from('staff_settings')
			.select('submission_digest')
			.eq('user_id', access.user.id)
			.maybeSingle(),
		// RLS shows the project settings to moderators and admins only.
		locals.supabase
			.from('project_settings')
			.select('project_name, funders, period_start, period_end')
			.maybeSingle()
	]);
	if (digest.error) throw digest.error;
	if (project.error) throw project.error;
	return {
		digest: digest.data?.submission_digest ?? false,
		project: access.isAdmin ? project.data : null
	};
};

export const actions: Actions = {
	digest: async ({ locals, request }) => {
		await requireStaff();
		const form = await request.formData();
		const { error } = await locals.supabase.rpc('set_submission_digest', {
			p_enabled: form.get('digest') === 'on'
		});
		if (error)
			return fail(400, { code: /^[a-z_]+$/.test(error.message) ? error.message : 'unexpected' });
		return { saved: true };
	},
	project: async ({ locals, request }) => {
		const access = await requireStaff();
		if (!access.isAdmin) return fail(403, { projectCode: 'not_admin' });
		const values = readProjectForm(await request.formData());
		if (!values) return fail(400, { projectCode: 'report_settings_invalid' });
		// RLS lets only admins change the row; zero rows back means the role was revoked meanwhile.
		const { data, error } = await locals.supabase
			.from('project_settings')
			.update({ ...values, updated_at: new Date().toISOString() })
			.eq('id', true)
			.select('id');
		if (error) return fail(400, { projectCode: 'report_settings_invalid' });
		if (data.length === 0) return fail(403, { projectCode: 'not_admin' });
		return { projectSaved: true };
	}
};
