import { error, fail } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import { issueReturnTicketFor, ticketQrSvg } from '#lib/server/participant/tickets.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import { localizeHref } from '#lib/i18n/href.ts';
import { readWorkshopForm, toRow } from '../workshop-form';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const load: PageServerLoad = async ({ locals, params }) => {
	const access = await requireStaff();
	if (!UUID.test(params.id)) error(404, 'Workshop not found', { code: 'not_found' });
	const [workshop, members] = await Promise.all([
		locals.supabase.from('workshops').select('*').eq('id', params.id).maybeSingle(),
		// RLS: staff of the workshop see its members and their chosen names.
		locals.supabase
			.from('workshop_members')
			.select('user_id, joined_at, profile:profiles(display_name)')
			.eq('workshop_id', params.id)
			.order('joined_at', { ascending: false })
	]);
	if (workshop.error) throw workshop.error;
	if (members.error) throw members.error;
	if (!workshop.data) error(404, 'Workshop not found', { code: 'not_found' });
	const w = workshop.data;
	return {
		workshop: {
			id: w.id as string,
			slug: w.slug as string,
			title: w.title as Record<string, string>,
			description: w.description as Record<string, string>,
			venue_name: w.venue_name as string,
			venue_address: (w.venue_address as string | null) ?? '',
			starts_on: w.starts_on as string,
			ends_on: (w.ends_on as string | null) ?? '',
			joiningOpen: w.joining_open as boolean
		},
		canManage: access.isAdmin || access.facilitatorOf.includes(params.id),
		members: members.data.map((row) => ({
			userId: row.user_id as string,
			joinedAt: row.joined_at as string,
			name: (row.profile as unknown as { display_name: string | null } | null)?.display_name ?? null
		}))
	};
};

export const actions: Actions = {
	save: async ({ locals, params, request }) => {
		await requireStaff();
		const { values, code } = readWorkshopForm(await request.formData());
		if (code) return fail(400, { code, values });
		// RLS: admins and the workshop's facilitators update it.
		const { data, error: saveError } = await locals.supabase
			.from('workshops')
			.update(toRow(values))
			.eq('id', params.id)
			.select('id');
		if (saveError) return fail(400, { code: 'invalid_input', values });
		if (data.length === 0) return fail(403, { code: 'not_workshop_staff', values });
		return { saved: true };
	},
	joining: async ({ locals, params, request }) => {
		await requireStaff();
		const open = (await request.formData()).get('open') === 'true';
		const { data, error: saveError } = await locals.supabase
			.from('workshops')
			.update({ joining_open: open })
			.eq('id', params.id)
			.select('id');
		if (saveError) throw saveError;
		if (data.length === 0) return fail(403, { code: 'not_workshop_staff' });
		return { saved: true };
	},
	rotate: async ({ locals, params, url }) => {
		await requireStaff();
		const { data: code, error: rpcError } = await locals.supabase.rpc('rotate_join_code', {
			p_workshop_id: params.id
		});
		if (rpcError) return fail(403, { code: rpcError.message });
		const link = new URL(localizeHref(`/join/${code}`, { locale: locals.locale }), url.origin).href;
		return { joinCode: code as string, joinLink: link, qrSvg: await ticketQrSvg(link) };
	},
	reissue: async ({ locals, request }) => {
		await requireStaff();
		const userId = (await request.formData()).get('user_id');
		if (typeof userId !== 'string' || !UUID.test(userId))
			return fail(400, { code: 'invalid_input' });
		try {
			// Postgres checks the caller is staff for that participant; the admin client only
			// attaches the ticket's sign-in identity (see participant/tickets.ts).
			const code = await issueReturnTicketFor(supabaseAdmin(), locals.supabase, userId);
			return { ticket: { userId, code } };
		} catch (cause) {
			return fail(403, { code: (cause as { message?: string }).message ?? 'unexpected' });
		}
	}
};
