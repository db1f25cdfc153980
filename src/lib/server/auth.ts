import { redirect } from '@sveltejs/kit';
import { getRequestEvent } from '$app/server';
import { localizeHref } from '$lib/paraglide/runtime';
import { SYNTHETIC_EMAIL_DOMAIN } from '$lib/server/participant/tickets';

/** The signed-in user (JWT verified by the auth server's keys), or null. */
export async function getUser(): Promise<App.SessionUser | null> {
	const { locals } = getRequestEvent();
	return (await locals.safeGetSession()).user;
}

/**
 * The signed-in user; anyone else is sent to the sign-in page (in their language) and comes back
 * to the current path afterwards. Call it at the top of every protected load, action and endpoint.
 */
export async function requireUser(): Promise<App.SessionUser> {
	const event = getRequestEvent();
	const user = await getUser();
	if (!user) {
		const next = event.url.pathname + event.url.search;
		redirect(
			303,
			localizeHref(`/signin?next=${encodeURIComponent(next)}`, { locale: event.locals.locale })
		);
	}
	return user;
}

/**
 * A user's real email address, or null for none or the undeliverable address ticket holders sign
 * in with (see `participant/tickets.ts`).
 */
export function realEmail(user: Pick<App.SessionUser, 'email'>): string | null {
	return user.email && !user.email.endsWith(`@${SYNTHETIC_EMAIL_DOMAIN}`) ? user.email : null;
}

/**
 * A local path to continue to after sign-in, from an untrusted `next` parameter. Anything that
 * could leave the site (`//host`, `/\host`, schemes) falls back to `fallback`.
 */
export function safeNextPath(next: string | null | undefined, fallback = '/me'): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
		return fallback;
	}
	return next;
}
