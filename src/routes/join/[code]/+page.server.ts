import { fail } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { field, rateLimited, rpcErrorCode } from '#lib/server/participant/forms.ts';
import { createReturnTicket, ticketQrSvg } from '#lib/server/participant/tickets.ts';
import { takeRateLimit } from '#lib/server/rate-limit.ts';
import { realEmail } from '#lib/server/auth.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { Actions, PageServerLoad } from './$types';

type Lookup = { workshop_id: string; title: Record<string, string>; joining_open: boolean };

export const load: PageServerLoad = async ({ params, locals }) => {
	if (!(await takeRateLimit('join'))) return { problem: 'rate_limited', workshopTitle: null };
	// Service role: join codes are stored as hashes no API role may read; this answers only for
	// the exact code, behind the per-address rate limit above.
	const { data, error } = await supabaseAdmin().rpc('join_code_workshop', { p_code: params.code });
	if (error) throw error;
	const workshop = (data as Lookup[])[0];
	if (!workshop) return { problem: 'invalid_code', workshopTitle: null };
	const title =
		workshop.title[locals.locale] ?? workshop.title.de ?? Object.values(workshop.title)[0];
	return {
		problem: workshop.joining_open ? null : 'joining_closed',
		workshopTitle: title ?? null
	};
};

const AGE_BRACKETS = new Set(['under_16', '16_plus']);

export const actions: Actions = {
	default: async ({ request, params, locals, url }) => {
		const limited = await rateLimited('join');
		if (limited) return limited;
		const form = await request.formData();
		const name = field(form, 'name');
		const age = field(form, 'age');
		const values = { name, age };
		if (name.length < 1 || name.length > 60) return fail(400, { code: 'name_invalid', values });
		if (!AGE_BRACKETS.has(age)) return fail(400, { code: 'age_required', values });

		const { supabase } = locals;
		let user = (await locals.safeGetSession()).user;
		let createdNow = false;
		if (!user) {
			const { data, error } = await supabase.auth.signInAnonymously({
				options: { data: { display_name: name, ui_language: locals.locale } }
			});
			if (error || !data.user) throw error ?? new Error('anonymous sign-in returned no user');
			user = { id: data.user.id, email: null, isAnonymous: true, role: 'authenticated' };
			createdNow = true;
		}

		const { error } = await supabase.rpc('join_workshop', {
			p_code: params.code,
			p_display_name: name,
			p_ui_language: locals.locale,
			p_age_bracket: age
		});
		if (error) {
			const code = rpcErrorCode(error);
			if (createdNow) {
				await supabase.auth.signOut();
				// Service role: an account made a moment ago for a join that failed would only linger
				// as an empty anonymous user; only the admin API can delete it.
				await supabaseAdmin().auth.admin.deleteUser(user.id);
			}
			if (code === 'invalid_code' || code === 'joining_closed') return fail(400, { code, values });
			throw error;
		}

		// People with a real address sign in by email; everyone else needs a return ticket.
		if (realEmail(user)) return { joined: true as const, ticket: null };
		const ticket = await createReturnTicket(supabaseAdmin(), supabase, user.id);
		const ticketUrl = new URL(localizeHref('/ticket', { locale: locals.locale }), url.origin);
		ticketUrl.hash = ticket;
		return {
			joined: true as const,
			ticket: { code: ticket, url: ticketUrl.href, qrSvg: await ticketQrSvg(ticketUrl.href) }
		};
	}
};
