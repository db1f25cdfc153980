import { error, redirect } from '@sveltejs/kit';
import { getRequestEvent } from '$app/server';
import { localizeHref } from '#lib/i18n/href.ts';
import { SYNTHETIC_EMAIL_DOMAIN } from '#lib/server/participant/tickets.ts';

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

/** What a staff member may do, read from the database on every request (never from the JWT). */
export interface StaffAccess {
	user: App.SessionUser;
	isAdmin: boolean;
	/** Moderators and admins cover every workshop. */
	isModerator: boolean;
	/** Workshops the user facilitates. */
	facilitatorOf: string[];
}

/**
 * The signed-in staff member (admin, moderator or facilitator); anyone else signed in gets 403,
 * anyone signed out goes to the sign-in page. Roles are re-read on each call, so a revoked role
 * is refused on the very next request; Postgres re-checks every action anyway.
 */
export async function requireStaff(): Promise<StaffAccess> {
	const user = await requireUser();
	const { locals } = getRequestEvent();
	const [roles, facilitated] = await Promise.all([
		locals.supabase.from('staff_roles').select('role').eq('user_id', user.id),
		locals.supabase.from('workshop_facilitators').select('workshop_id').eq('user_id', user.id)
	]);
	if (roles.error || facilitated.error) throw roles.error ?? facilitated.error;
	const names = roles.data.map((r) => r.role as string);
	const access: StaffAccess = {
		user,
		isAdmin: names.includes('admin'),
		isModerator: names.includes('admin') || names.includes('moderator'),
		facilitatorOf: facilitated.data.map((f) => f.workshop_id as string)
	};
	if (user.isAnonymous || (!access.isModerator && access.facilitatorOf.length === 0)) {
		error(403, 'Staff only', { code: 'not_staff' });
	}
	return access;
}
