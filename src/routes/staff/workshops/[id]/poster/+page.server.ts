import { error } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import { ticketQrSvg } from '#lib/server/participant/tickets.ts';
import { localizeHref } from '#lib/i18n/href.ts';
import type { PageServerLoad } from './$types';

const CODE = /^[A-Za-z0-9]{4}(-?[A-Za-z0-9]{4}){1,4}$/;

/**
 * The A4 poster for a code that was just generated: codes are stored hashed, so the code comes
 * from the link the staff member followed right after generating it.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const access = await requireStaff();
	if (!access.isAdmin && !access.facilitatorOf.includes(params.id)) {
		error(403, 'Not allowed', { code: 'not_workshop_staff' });
	}
	const code = url.searchParams.get('code') ?? '';
	if (!CODE.test(code)) error(400, 'Missing code', { code: 'invalid_input' });
	const { data: workshop, error: loadError } = await locals.supabase
		.from('workshops')
		.select('title, venue_name')
		.eq('id', params.id)
		.maybeSingle();
	if (loadError) throw loadError;
	if (!workshop) error(404, 'Workshop not found', { code: 'not_found' });
	// The poster link carries no language prefix: each phone picks its own language on arrival.
	const link = new URL(`/join/${code}`, url.origin).href;
	return {
		code,
		link,
		qrSvg: await ticketQrSvg(link),
		title: workshop.title as Record<string, string>,
		venue: workshop.venue_name as string,
		back: localizeHref(`/staff/workshops/${params.id}`, { locale: locals.locale })
	};
};
