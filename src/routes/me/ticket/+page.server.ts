import { error, redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { realEmail, requireUser } from '#lib/server/auth.ts';
import { rpcErrorCode } from '#lib/server/participant/forms.ts';
import { createReturnTicket, ticketQrSvg } from '#lib/server/participant/tickets.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = await requireUser();
	// People with a real address sign in by email: a ticket would be a second, weaker password.
	if (realEmail(user)) redirect(303, localizeHref('/me', { locale: locals.locale }));
	return {};
};

export const actions: Actions = {
	default: async ({ locals, url }) => {
		const user = await requireUser();
		if (realEmail(user)) error(403, 'Not for email accounts', { code: 'forbidden' });
		const quota = await locals.supabase.rpc('take_quota', {
			p_bucket: 'return_ticket',
			p_limit: 10,
			p_window: '1 hour'
		});
		if (quota.error) {
			if (rpcErrorCode(quota.error) === 'quota_exceeded') {
				return { ticket: null, code: 'rate_limited' as const };
			}
			throw quota.error;
		}
		const ticket = await createReturnTicket(supabaseAdmin(), locals.supabase, user.id);
		const ticketUrl = new URL(localizeHref('/ticket', { locale: locals.locale }), url.origin);
		ticketUrl.hash = ticket;
		return {
			ticket: { code: ticket, url: ticketUrl.href, qrSvg: await ticketQrSvg(ticketUrl.href) },
			code: null
		};
	}
};
