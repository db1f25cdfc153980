import { m } from '$lib/paraglide/messages';

const statuses: Record<string, () => string> = {
	draft: m.participant_status_draft,
	submitted: m.participant_status_submitted,
	changes_requested: m.participant_status_changes_requested,
	published: m.participant_status_published,
	rejected: m.participant_status_rejected,
	withdrawn: m.participant_status_withdrawn
};

// One message per reason code `moderate_piece` accepts (see moderation_events.reason_codes).
const reasons: Record<string, () => string> = {
	consent_unclear: m.participant_reason_consent_unclear,
	people_identifiable: m.participant_reason_people_identifiable,
	personal_data_visible: m.participant_reason_personal_data_visible,
	off_topic: m.participant_reason_off_topic,
	harmful_content: m.participant_reason_harmful_content,
	copyright: m.participant_reason_copyright,
	image_quality: m.participant_reason_image_quality,
	text_needs_work: m.participant_reason_text_needs_work,
	translation_needed: m.participant_reason_translation_needed,
	duplicate: m.participant_reason_duplicate,
	maker_request: m.participant_reason_maker_request,
	other: m.participant_reason_other
};

/** The participant-facing name of a piece status. */
export function statusText(status: string): string {
	return (statuses[status] ?? m.participant_status_draft)();
}

/** The translated explanation of a moderation reason code. */
export function reasonText(code: string): string {
	return (reasons[code] ?? m.participant_reason_other)();
}
