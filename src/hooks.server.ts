import type { HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { env } from '$env/dynamic/public';
import { i18nHandle } from '$lib/server/hooks/i18n';
import { createSecurityHeadersHandle } from '$lib/server/hooks/security-headers';
import { createSupabaseHandle } from '$lib/server/hooks/supabase';

// Security headers run outermost so redirects and error pages get them too.
export const handle = sequence(
	createSecurityHeadersHandle(() => env.PUBLIC_SUPABASE_URL),
	i18nHandle,
	createSupabaseHandle(() => ({
		url: env.PUBLIC_SUPABASE_URL,
		publishableKey: env.PUBLIC_SUPABASE_PUBLISHABLE_KEY
	}))
);

/** Unexpected errors are logged once, with an id the error page shows to the user. */
export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status === 404) return { message, code: 'not_found' };
	const errorId = crypto.randomUUID();
	console.error(`[${errorId}] ${event.request.method} ${event.url.pathname}`, error);
	return { message: 'Internal Error', errorId };
};
