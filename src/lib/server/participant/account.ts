import type { SupabaseClient } from '@supabase/supabase-js';
import { SYNTHETIC_EMAIL_DOMAIN } from './tickets.ts';

/**
 * The optional upgrade from a link-and-ticket account to email and password. It goes through the
 * participant's own session (`auth.updateUser`), so the auth server applies its own rules: with
 * email confirmations off (the local default) the address applies at once and the anonymous
 * account becomes a permanent one, keeping its id and pieces; with confirmations on, a link goes
 * to the new address and the change applies when it is opened (`/auth/confirm`).
 */

/** As `minimum_password_length` in supabase/config.toml; the auth server checks it again. */
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 72; // bcrypt ignores what follows
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type UpgradeErrorCode =
	'email_invalid' | 'email_taken' | 'password_weak' | 'password_mismatch' | 'upgrade_failed';

export interface UpgradeInput {
	email: string;
	password: string;
	passwordRepeat: string;
	/** Where the confirmation link leads back to (must be an allowed redirect URL). */
	redirectTo: string;
}

export type UpgradeResult =
	| { ok: true; status: 'active' | 'confirmation_sent'; email: string }
	| { ok: false; code: UpgradeErrorCode };

/** Checks the form before anything is sent; null when it may go to the auth server. */
export function validateUpgrade(input: UpgradeInput): UpgradeErrorCode | null {
	const email = input.email.trim();
	if (!EMAIL.test(email) || email.length > 254) return 'email_invalid';
	if (email.toLowerCase().endsWith(`@${SYNTHETIC_EMAIL_DOMAIN}`)) return 'email_invalid';
	if (
		input.password.length < MIN_PASSWORD_LENGTH ||
		new TextEncoder().encode(input.password).length > MAX_PASSWORD_LENGTH
	) {
		return 'password_weak';
	}
	if (input.password !== input.passwordRepeat) return 'password_mismatch';
	return null;
}

/**
 * Adds an email address and a password to the signed-in participant of `supabase`. Afterwards the
 * session is refreshed, so the new address is in the access token the next request reads.
 */
export async function addEmailAndPassword(
	supabase: SupabaseClient,
	input: UpgradeInput
): Promise<UpgradeResult> {
	const invalid = validateUpgrade(input);
	if (invalid) return { ok: false, code: invalid };
	const email = input.email.trim().toLowerCase();
	const { data, error } = await supabase.auth.updateUser(
		{ email, password: input.password },
		{ emailRedirectTo: input.redirectTo }
	);
	if (error) {
		if (error.code === 'email_exists' || error.code === 'user_already_exists') {
			return { ok: false, code: 'email_taken' };
		}
		if (error.code === 'weak_password') return { ok: false, code: 'password_weak' };
		if (error.code === 'email_address_invalid') return { ok: false, code: 'email_invalid' };
		if (error.status !== undefined && error.status >= 500) throw error;
		return { ok: false, code: 'upgrade_failed' };
	}
	const active = data.user?.email?.toLowerCase() === email && !data.user?.new_email;
	if (active) {
		const refreshed = await supabase.auth.refreshSession();
		if (refreshed.error) throw refreshed.error;
	}
	return { ok: true, status: active ? 'active' : 'confirmation_sent', email };
}
