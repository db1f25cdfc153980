import type { EmailOtpType } from '@supabase/supabase-js';
import { redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { safeNextPath } from '#lib/server/auth.ts';
import type { RequestHandler } from './$types';

const OTP_TYPES: ReadonlySet<string> = new Set([
	'signup',
	'invite',
	'magiclink',
	'recovery',
	'email_change',
	'email'
]);

/**
 * Where links from auth emails land (Supabase SSR guide): `token_hash` + `type` from an email
 * template, or `code` from the PKCE redirect. Either sets the session cookies on this response.
 */
export const GET: RequestHandler = async ({ url, locals }) => {
	const next = safeNextPath(url.searchParams.get('next'));
	const tokenHash = url.searchParams.get('token_hash');
	const type = url.searchParams.get('type');
	const code = url.searchParams.get('code');
	let ok = false;
	if (tokenHash && type && OTP_TYPES.has(type)) {
		const { error } = await locals.supabase.auth.verifyOtp({
			token_hash: tokenHash,
			type: type as EmailOtpType
		});
		ok = !error;
	} else if (code) {
		const { error } = await locals.supabase.auth.exchangeCodeForSession(code);
		ok = !error;
	}
	redirect(303, localizeHref(ok ? next : '/signin?error=link_invalid', { locale: locals.locale }));
};
