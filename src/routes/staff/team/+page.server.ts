import { error, fail } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import { pickLabel, type LanguageMap } from '#lib/server/gallery/queries.ts';
import { appMailer, sendSubmissionDigests, siteUrl } from '#lib/server/mail/index.ts';
import { mailLocale } from '#lib/server/mail/templates.ts';
import { inviteStaff, listStaff, setStaffAccess } from '#lib/server/moderation/staff.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { Actions, PageServerLoad } from './$types';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ROLES = ['admin', 'moderator'];
const EVENTS = 100;

/** Admins only; Postgres re-checks the role in every function these pages call. */
async function requireAdmin() {
	const access = await requireStaff();
	if (!access.isAdmin) error(403, 'Admins only', { code: 'not_admin' });
	return access;
}

function ids(form: FormData, name: string): string[] {
	return form.getAll(name).filter((v): v is string => typeof v === 'string' && UUID.test(v));
}

export const load: PageServerLoad = async ({ locals }) => {
	await requireAdmin();
	const [staff, workshops, events] = await Promise.all([
		listStaff(locals.supabase),
		locals.supabase.from('workshops').select('id, title').order('starts_on', { ascending: false }),
		locals.supabase
			.from('staff_events')
			.select('id, actor_id, subject_id, action, role, workshop_id, created_at')
			.order('id', { ascending: false })
			.limit(EVENTS)
	]);
	if (workshops.error) throw workshops.error;
	if (events.error) throw events.error;
	const titles = new Map(
		workshops.data.map((w) => [w.id as string, pickLabel(w.title as LanguageMap, locals.locale)])
	);
	const names = new Map(staff.map((s) => [s.userId, s.displayName || s.email]));
	return {
		staff,
		workshops: workshops.data.map((w) => ({ id: w.id as string, title: titles.get(w.id) ?? '' })),
		events: events.data.map((e) => ({
			id: e.id as number,
			action: e.action as string,
			actor: (e.actor_id && names.get(e.actor_id)) || null,
			subject: names.get(e.subject_id) ?? (e.subject_id as string).slice(0, 8),
			role: e.role as string | null,
			workshop: e.workshop_id ? (titles.get(e.workshop_id) ?? '') : null,
			at: e.created_at as string
		}))
	};
};

export const actions: Actions = {
	invite: async ({ locals, request, url }) => {
		const access = await requireAdmin();
		const form = await request.formData();
		const email = String(form.get('email') ?? '')
			.trim()
			.toLowerCase();
		const kind = form.get('kind');
		const workshopIds = ids(form, 'workshop');
		const values = { email, kind: String(kind ?? ''), workshopIds };
		if (!EMAIL.test(email) || (kind !== 'moderator' && kind !== 'facilitator')) {
			return fail(400, { action: 'invite', code: 'invalid_input', values });
		}
		const { data: me } = await locals.supabase
			.from('profiles')
			.select('display_name')
			.eq('id', access.user.id)
			.maybeSingle();
		// Service role for the Auth admin API only (creating the account and its one-time link);
		// the role itself is granted by the admin's own client through set_staff_access.
		const result = await inviteStaff(locals.supabase, supabaseAdmin(), appMailer(), {
			email,
			kind,
			workshopIds: kind === 'facilitator' ? workshopIds : [],
			locale: mailLocale(String(form.get('mail_language') ?? locals.locale)),
			inviterName:
				(me?.display_name as string | undefined) || access.user.email || 'connecting-thread',
			siteUrl: siteUrl(url.origin)
		});
		if (!result.ok) {
			return fail(result.code === 'unexpected' ? 500 : 400, {
				action: 'invite',
				code: result.code,
				values
			});
		}
		return { action: 'invite', invited: email };
	},

	access: async ({ locals, request }) => {
		await requireAdmin();
		const form = await request.formData();
		const userId = String(form.get('user') ?? '');
		if (!UUID.test(userId)) return fail(400, { action: 'access', code: 'invalid_input' });
		const revoke = form.get('revoke') !== null;
		const roles = revoke
			? []
			: form.getAll('role').filter((r): r is string => typeof r === 'string' && ROLES.includes(r));
		const result = await setStaffAccess(
			locals.supabase,
			userId,
			roles,
			revoke ? [] : ids(form, 'workshop')
		);
		if (!result.ok) return fail(400, { action: 'access', code: result.code, user: userId });
		return { action: 'access', saved: userId, revoked: revoke };
	},

	digest: async ({ url }) => {
		await requireAdmin();
		// Service role: the digest spans every opted-in staff member and their addresses.
		const result = await sendSubmissionDigests(supabaseAdmin(), appMailer(), siteUrl(url.origin));
		return { action: 'digest', sent: result.sent };
	}
};
