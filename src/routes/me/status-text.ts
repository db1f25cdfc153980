import { reasonMessage } from '#lib/moderation-reasons.ts';
import { m } from '#lib/paraglide/messages.js';

const statuses: Record<string, () => string> = {
	draft: m.participant_status_draft,
	submitted: m.participant_status_submitted,
	changes_requested: m.participant_status_changes_requested,
	published: m.participant_status_published,
	rejected: m.participant_status_rejected,
	withdrawn: m.participant_status_withdrawn
};

/** The participant-facing name of a piece status. */
export function statusText(status: string): string {
	return (statuses[status] ?? m.participant_status_draft)();
}

/** The translated explanation of a moderation reason code. */
export function reasonText(code: string): string {
	return reasonMessage(code)();
}
