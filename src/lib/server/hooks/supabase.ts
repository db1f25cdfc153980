import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Handle } from '@sveltejs/kit/hooks';
import type { Cookies } from '@sveltejs/kit';
import { isAuthCookieName } from './auth-cookie';
import { logger } from '../log.ts';
import { tracedFetch } from '../traced-fetch.ts';

/** Where the Supabase API is and the publishable key the browser may also know. */
export interface SupabasePublicConfig {
	url: string | undefined;
	publishableKey: string | undefined;
}

const signedOut: App.SafeSession = { user: null, claims: null };

function hasAuthCookie(cookies: Cookies): boolean {
	return cookies.getAll().some(({ name }) => isAuthCookieName(name));
}

function createClient(
	{ url, publishableKey: key }: SupabasePublicConfig,
	cookies: Cookies,
	onSetCookies: () => void
): SupabaseClient {
	if (!url || !key) {
		throw new Error('PUBLIC_SUPABASE_URL and PUBLIC_SUPABASE_PUBLISHABLE_KEY must be set');
	}
	return createServerClient(url, key, {
		global: { fetch: tracedFetch },
		// No retries inside a render: a database that is away is answered with a 503 at once (see
		// handleError) instead of after 7 s of back-off per query, and the visitor retries.
		db: { retry: false },
		cookies: {
			getAll: () => cookies.getAll(),
			setAll: (toSet) => {
				onSetCookies();
				for (const { name, value, options } of toSet) {
					cookies.set(name, value, { ...options, path: '/' });
				}
			}
		}
	});
}

/**
 * One Supabase client per request (created on first use, so pages that never touch the database
 * render without the stack) and `safeGetSession()`, which trusts only a JWT whose signature the
 * auth server's keys confirm. Responses that carry or set a session are never cacheable.
 * A factory so tests can pass the stack's address without SvelteKit's `$env`.
 */
export function createSupabaseHandle(config: () => SupabasePublicConfig): Handle {
	return async ({ event, resolve }) => {
		let setsCookies = false;
		let client: SupabaseClient | undefined;
		Object.defineProperty(event.locals, 'supabase', {
			get: () => (client ??= createClient(config(), event.cookies, () => (setsCookies = true))),
			configurable: true
		});

		let session: Promise<App.SafeSession> | undefined;
		event.locals.safeGetSession = () => (session ??= validateSession(event.locals, event.cookies));

		const response = await resolve(event, {
			filterSerializedResponseHeaders: (name) =>
				name === 'content-range' || name === 'x-supabase-api-version'
		});
		if (setsCookies || hasAuthCookie(event.cookies)) {
			response.headers.set('Cache-Control', 'private, no-store');
		}
		return response;
	};
}

async function validateSession(locals: App.Locals, cookies: Cookies): Promise<App.SafeSession> {
	if (!hasAuthCookie(cookies)) return signedOut;
	try {
		const { data, error } = await locals.supabase.auth.getClaims();
		if (error || !data) return signedOut;
		const { claims } = data;
		return {
			claims,
			user: {
				id: claims.sub,
				email: typeof claims.email === 'string' && claims.email !== '' ? claims.email : null,
				isAnonymous: claims.is_anonymous === true,
				role: claims.role
			}
		};
	} catch (error) {
		// An unreachable auth server means we cannot confirm anyone: treat as signed out.
		logger.warn('could not validate the session', error);
		return signedOut;
	}
}
