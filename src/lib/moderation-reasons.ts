// Relative, not #lib: server modules the integration suites import without SvelteKit's aliases use it.
import { m } from './paraglide/messages.js';
import type { Locale } from './paraglide/runtime.js';

type ReasonMessage = (inputs?: object, options?: { locale?: Locale }) => string;

/**
 * One message per reason code `moderate_piece` accepts (see moderation_events.reason_codes), shared
 * by the participant's view and the decision mails.
 */
export const reasonMessages: Record<string, ReasonMessage> = {
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

/** The message of a reason code; unknown codes read as "other". */
export function reasonMessage(code: string): ReasonMessage {
	return reasonMessages[code] ?? m.participant_reason_other;
}
