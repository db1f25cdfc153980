import type { SupabaseClient } from '@supabase/supabase-js';
import QRCode from 'qrcode';

/*
 * Return tickets. The database makes the code (`private.new_code`): 20 symbols from a 32-letter
 * alphabet without 0/O, 1/I (ABCDEFGHJKLMNPQRSTUVWXYZ23456789), shown as 5 groups of 4, so
 * 20 × log2(32) = 100 bits of entropy: unguessable even without the rate limit, and still
 * readable aloud and typable on a phone. Only a SHA-256 hash is stored; comparison ignores case,
 * spaces and dashes.
 *
 * Signing in with a ticket: the server redeems the code (service role) to a user id, asks the auth
 * server for a magic link for that user's address and redeems its token hash on the visitor's own
 * client, which sets the session cookies. Anonymous participants have no address, so when a ticket
 * is issued they get an undeliverable one (`p-<id>@participants.invalid`); nothing is ever mailed.
 */

/**
 * Reserved domain (RFC 2606 `.invalid`) of the ticket holders' sign-in addresses: never a real
 * address, so hide it and never mail it.
 */
export const SYNTHETIC_EMAIL_DOMAIN = 'participants.invalid';

/** The undeliverable address a ticket holder signs in with. */
export function syntheticEmail(userId: string): string {
	return `p-${userId}@${SYNTHETIC_EMAIL_DOMAIN}`;
}

/** `ABCDEFGHJKLMNPQRSTUV` or `abcd efgh …` → `ABCD-EFGH-JKLM-NPQR-STUV` (display form). */
export function formatTicket(code: string): string {
	const plain = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
	return plain.match(/.{1,4}/g)?.join('-') ?? '';
}

async function ensureSignInEmail(admin: SupabaseClient, userId: string): Promise<string> {
	const { data, error } = await admin.auth.admin.getUserById(userId);
	if (error || !data.user) throw error ?? new Error('ticket holder not found');
	if (data.user.email) return data.user.email;
	// Service role: only the admin API can give a user a confirmed address without mailing it. The
	// address is in the reserved `.invalid` domain, so it can never reach anyone.
	const email = syntheticEmail(userId);
	const updated = await admin.auth.admin.updateUserById(userId, { email, email_confirm: true });
	if (updated.error) throw updated.error;
	return email;
}

/**
 * A new return ticket for the signed-in caller of `supabase` (earlier ones stop working). Returns
 * the plain code, which exists only in this response. `admin` is the service-role client.
 */
export async function createReturnTicket(
	admin: SupabaseClient,
	supabase: SupabaseClient,
	userId: string
): Promise<string> {
	const { data, error } = await supabase.rpc('create_return_ticket');
	if (error) throw error;
	await ensureSignInEmail(admin, userId);
	return formatTicket(data as string);
}

/**
 * A new ticket for a participant who lost theirs, issued by staff of one of their workshops (the
 * database checks that on `supabase`, the staff member's client). Earlier tickets stop working.
 */
export async function issueReturnTicketFor(
	admin: SupabaseClient,
	supabase: SupabaseClient,
	participantId: string
): Promise<string> {
	const { data, error } = await supabase.rpc('issue_return_ticket_for', {
		p_user_id: participantId
	});
	if (error) throw error;
	await ensureSignInEmail(admin, participantId);
	return formatTicket(data as string);
}

/** Why a ticket did not sign anyone in; each is a translated message (`participant_error_…`). */
export type TicketRefusal = 'ticket_invalid' | 'ticket_expired' | 'ticket_replaced';

/**
 * How long an unused ticket stays valid: 12 months after its last use (or its issue), enforced
 * by `redeem_return_ticket` (migration 20261126120101_ticket_expiry.sql).
 */
export const TICKET_VALID_MONTHS = 12;

/**
 * Signs the visitor in as the ticket's holder on `supabase` (the request's client, which stores
 * the session cookies). Otherwise says why not: unknown, expired or replaced by a newer ticket.
 */
export async function signInWithTicket(
	admin: SupabaseClient,
	supabase: SupabaseClient,
	code: string
): Promise<true | TicketRefusal> {
	// Service role: tickets are bearer secrets checked against hashes no API role may read.
	const { data: userId, error } = await admin.rpc('redeem_return_ticket', { p_code: code });
	if (error) {
		if (error.message === 'ticket_expired' || error.message === 'ticket_replaced') {
			return error.message;
		}
		throw error;
	}
	if (typeof userId !== 'string') return 'ticket_invalid';
	const email = await ensureSignInEmail(admin, userId);
	// Service role: a magic link for the holder, redeemed right here instead of being mailed.
	const link = await admin.auth.admin.generateLink({ type: 'magiclink', email });
	if (link.error) throw link.error;
	const verified = await supabase.auth.verifyOtp({
		type: 'magiclink',
		token_hash: link.data.properties.hashed_token
	});
	if (verified.error) throw verified.error;
	return true;
}

/** The QR code for a ticket link as an SVG string (no scripts or inline styles: CSP-safe). */
export function ticketQrSvg(url: string): Promise<string> {
	return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
