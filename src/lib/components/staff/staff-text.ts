import { m } from '#lib/paraglide/messages.js';

const statuses: Record<string, () => string> = {
	draft: m.staff_status_draft,
	submitted: m.staff_status_submitted,
	changes_requested: m.staff_status_changes_requested,
	published: m.staff_status_published,
	rejected: m.staff_status_rejected,
	withdrawn: m.staff_status_withdrawn
};

// The same codes participants read as `participant_reason_<code>` in their own language.
const reasons: Record<string, () => string> = {
	consent_unclear: m.staff_reason_consent_unclear,
	people_identifiable: m.staff_reason_people_identifiable,
	personal_data_visible: m.staff_reason_personal_data_visible,
	off_topic: m.staff_reason_off_topic,
	harmful_content: m.staff_reason_harmful_content,
	copyright: m.staff_reason_copyright,
	image_quality: m.staff_reason_image_quality,
	text_needs_work: m.staff_reason_text_needs_work,
	translation_needed: m.staff_reason_translation_needed,
	duplicate: m.staff_reason_duplicate,
	maker_request: m.staff_reason_maker_request,
	other: m.staff_reason_other
};

const events: Record<string, () => string> = {
	submit: m.staff_event_submit,
	withdraw: m.staff_event_withdraw,
	publish: m.staff_event_publish,
	request_changes: m.staff_event_request_changes,
	reject: m.staff_event_reject,
	unpublish: m.staff_event_unpublish,
	consent_withdrawn: m.staff_event_consent_withdrawn,
	edit_text: m.staff_event_edit_text
};

const errors: Record<string, () => string> = {
	reason_required: m.staff_error_reason_required,
	consent_missing: m.staff_error_consent_missing,
	own_piece: m.staff_error_own_piece,
	not_workshop_staff: m.staff_error_not_workshop_staff,
	invalid_action: m.staff_error_invalid_action,
	invalid_transition: m.staff_error_invalid_action,
	piece_not_found: m.staff_error_piece_not_found,
	invalid_input: m.staff_error_invalid_input,
	slug_taken: m.staff_error_slug_taken,
	title_required: m.staff_error_title_required,
	not_admin: m.staff_error_not_admin,
	own_admin_role: m.staff_error_own_admin_role,
	not_staff_account: m.staff_error_not_staff_account,
	workshop_required: m.staff_error_workshop_required,
	invite_failed: m.staff_error_invite_failed,
	mail_failed: m.staff_error_mail_failed,
	no_changes: m.staff_error_no_changes,
	not_editable: m.staff_error_not_editable,
	missing_title: m.staff_error_missing_title,
	user_not_found: m.staff_error_user_not_found,
	password_short: m.staff_error_password_short,
	story_invalid: m.staff_error_story_invalid,
	workshop_not_found: m.staff_error_invalid_input
};

/** Staff-facing name of a piece status. */
export const statusLabel = (status: string): string => (statuses[status] ?? (() => status))();

/** Staff-facing name of a reason code, in the moderator's UI language. */
export const reasonLabel = (code: string): string => (reasons[code] ?? m.staff_reason_other)();

/** Staff-facing name of a moderation event's action. */
export const eventLabel = (action: string): string => (events[action] ?? (() => action))();

/** A translated text for an error code from a form action. */
export const errorText = (code: string | undefined): string =>
	(errors[code ?? ''] ?? m.staff_error_unexpected)();

/** A date and time in the UI language. */
export function formatDateTime(iso: string, locale: string): string {
	return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
		new Date(iso)
	);
}

/** A calendar date in the UI language. */
export function formatDate(iso: string, locale: string): string {
	return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
}
