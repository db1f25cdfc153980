import { fail, redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { field, rateLimited } from '#lib/server/participant/forms.ts';
import { signInWithTicket } from '#lib/server/participant/tickets.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const limited = await rateLimited('ticket');
		if (limited) return limited;
		const code = field(await request.formData(), 'code');
		if (!/[a-z0-9]/i.test(code)) return fail(400, { code: 'ticket_required' });
		if (code.length > 64) return fail(400, { code: 'ticket_invalid' });
		const result = await signInWithTicket(supabaseAdmin(), locals.supabase, code);
		if (result !== true) return fail(400, { code: result });
		redirect(303, localizeHref('/me', { locale: locals.locale }));
	}
};
