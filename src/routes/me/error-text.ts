import { m } from '#lib/paraglide/messages.js';

const texts: Record<string, () => string> = {
	invalid_code: m.participant_error_invalid_code,
	joining_closed: m.participant_error_joining_closed,
	rate_limited: m.participant_error_rate_limited,
	quota_exceeded: m.participant_error_rate_limited,
	name_invalid: m.participant_error_name_invalid,
	age_required: m.participant_error_age_required,
	ticket_invalid: m.participant_error_ticket_invalid,
	ticket_required: m.participant_error_ticket_required,
	piece_not_found: m.participant_error_piece_not_found,
	already_withdrawn: m.participant_error_already_withdrawn,
	invalid_credentials: m.auth_error_invalid_credentials,
	email_invalid: m.auth_error_email_invalid,
	password_required: m.auth_error_password_required,
	link_invalid: m.auth_error_link_invalid,
	email_taken: m.participant_error_email_taken,
	password_weak: m.participant_error_password_weak,
	password_mismatch: m.participant_error_password_mismatch,
	upgrade_failed: m.participant_error_upgrade_failed,
	confirm_required: m.participant_error_confirm_required,
	ticket_expired: m.participant_error_ticket_expired,
	ticket_replaced: m.participant_error_ticket_replaced
};

/** The translated text for an error code from a participant or sign-in form action. */
export function errorText(code: string | undefined | null): string | undefined {
	if (!code) return undefined;
	return (texts[code] ?? m.participant_error_generic)();
}
