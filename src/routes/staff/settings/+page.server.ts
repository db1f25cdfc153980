import { fail } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import { loadEmbedOrigins, MAX_EMBED_ORIGINS, parseOriginList } from '#lib/server/embed/origins.ts';
import { readProjectForm } from '#lib/server/report/project-settings.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const access = await requireStaff();
	const [digest, origins, project] = await Promise.all([
		locals.supabase
			.from('staff_settings')
			.select('submission_digest')
			.eq('user_id', access.user.id)
			.maybeSingle(),
		loadEmbedOrigins(locals.supabase),
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
		embedOrigins: origins,
		isAdmin: access.isAdmin,
		maxEmbedOrigins: MAX_EMBED_ORIGINS,
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

	/** The origins allowed to frame the embed pages (admins; RLS and a check constraint hold it). */
	embed: async ({ locals, request }) => {
		const access = await requireStaff();
		const form = await request.formData();
		const text = form.get('origins');
		const values = { origins: typeof text === 'string' ? text : '' };
		if (!access.isAdmin) return fail(403, { embed: { code: 'not_admin', values } });
		const parsed = parseOriginList(values.origins);
		if (!parsed.ok) return fail(400, { embed: { ...parsed, values } });
		const { data, error } = await locals.supabase
			.from('site_settings')
			.update({ embed_origins: parsed.origins })
			.eq('id', true)
			.select('embed_origins');
		if (error?.code === '23514') {
			return fail(400, { embed: { code: 'embed_origin_invalid', entry: '', values } });
		}
		if (error) throw error;
		// RLS lets only admins update the row: no row back means the role was revoked meanwhile.
		if (data.length === 0) return fail(403, { embed: { code: 'not_admin', values } });
		return { embed: { saved: true } };
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
