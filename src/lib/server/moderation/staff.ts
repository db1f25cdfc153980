import type { SupabaseClient } from '@supabase/supabase-js';
import type { Mailer } from '../mail/mailer';
import { inviteMail, type MailLocale } from '../mail/templates';
import { logger } from '#lib/server/log.ts';

/*
 * Staff administration. Every change runs as the admin through `set_staff_access` (Postgres
 * re-checks the admin role, refuses anonymous accounts and self-demotion, and audits each change).
 * The service-role client is used only for what the Auth admin API alone can do: create the
 * invited account and its one-time link.
 */

export type StaffKind = 'moderator' | 'facilitator';

export interface StaffMember {
	userId: string;
	email: string;
	displayName: string | null;
	roles: string[];
	workshopIds: string[];
	invitedAt: string | null;
	lastSignInAt: string | null;
}

interface StaffRow {
	user_id: string;
	email: string;
	display_name: string | null;
	roles: string[];
	workshop_ids: string[];
	invited_at: string | null;
	last_sign_in_at: string | null;
}

function codeOf(error: { message?: string } | null): string {
	const message = error?.message;
	return typeof message === 'string' && /^[a-z_]+$/.test(message) ? message : 'unexpected';
}

/** Everyone with a staff role or a workshop (admins only; others get `not_admin`). */
export async function listStaff(supabase: SupabaseClient): Promise<StaffMember[]> {
	const { data, error } = await supabase.rpc('staff_members');
	if (error) throw error;
	return ((data ?? []) as StaffRow[]).map((r) => ({
		userId: r.user_id,
		email: r.email,
		displayName: r.display_name,
		roles: r.roles,
		workshopIds: r.workshop_ids,
		invitedAt: r.invited_at,
		lastSignInAt: r.last_sign_in_at
	}));
}

export type StaffResult = { ok: true } | { ok: false; code: string };

/** Sets a person's roles and workshops to exactly these (empty: revoked). */
export async function setStaffAccess(
	supabase: SupabaseClient,
	userId: string,
	roles: string[],
	workshopIds: string[]
): Promise<StaffResult> {
	const { error } = await supabase.rpc('set_staff_access', {
		p_user_id: userId,
		p_roles: roles,
		p_workshop_ids: workshopIds,
		p_invite: false
	});
	return error ? { ok: false, code: codeOf(error) } : { ok: true };
}

export interface InviteInput {
	email: string;
	kind: StaffKind;
	/** For facilitators: the workshops they get (at least one). */
	workshopIds: string[];
	locale: MailLocale;
	inviterName: string;
	siteUrl: string;
}

/**
 * Invites someone to the staff area: creates the account (or finds the existing one), grants the
 * role or workshops on top of what they already have, and mails a one-time link that signs them in
 * and leads to setting a password.
 */
export async function inviteStaff(
	supabase: SupabaseClient,
	admin: SupabaseClient,
	mailer: Mailer,
	input: InviteInput
): Promise<StaffResult> {
	if (input.kind === 'facilitator' && input.workshopIds.length === 0) {
		return { ok: false, code: 'workshop_required' };
	}
	// Ask Postgres first, as the admin: only admins may list staff, so nobody else gets as far as
	// creating an account.
	const existing = await supabase.rpc('staff_members');
	if (existing.error) return { ok: false, code: codeOf(existing.error) };

	let link = await admin.auth.admin.generateLink({ type: 'invite', email: input.email });
	let type: 'invite' | 'magiclink' = 'invite';
	if (link.error && (link.error as { code?: string }).code === 'email_exists') {
		link = await admin.auth.admin.generateLink({ type: 'magiclink', email: input.email });
		type = 'magiclink';
	}
	if (link.error || !link.data.user) return { ok: false, code: 'invite_failed' };
	const userId = link.data.user.id;

	const current = ((existing.data ?? []) as StaffRow[]).find((r) => r.user_id === userId);
	const roles = new Set(current?.roles ?? []);
	const workshops = new Set(current?.workshop_ids ?? []);
	if (input.kind === 'moderator') roles.add('moderator');
	else for (const id of input.workshopIds) workshops.add(id);
	const { error } = await supabase.rpc('set_staff_access', {
		p_user_id: userId,
		p_roles: [...roles],
		p_workshop_ids: [...workshops],
		p_invite: true
	});
	if (error) return { ok: false, code: codeOf(error) };

	// Under the mail's language prefix, so the welcome page speaks the invitee's language.
	const confirm = new URL(`/${input.locale}/auth/confirm`, input.siteUrl);
	confirm.searchParams.set('token_hash', link.data.properties.hashed_token);
	confirm.searchParams.set('type', type);
	confirm.searchParams.set('next', '/staff/welcome');
	try {
		await mailer.send(
			inviteMail({
				to: input.email,
				locale: input.locale,
				role: input.kind,
				inviter: input.inviterName,
				url: confirm.href
			})
		);
	} catch (cause) {
		logger.error('invitation mail failed', cause, { role: input.kind });
		return { ok: false, code: 'mail_failed' };
	}
	return { ok: true };
}
