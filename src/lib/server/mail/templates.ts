/*
 * The app's mails, written from the message files so they read the same as the app in the
 * recipient's language. Plain text: short, readable in every client, no tracking.
 */
// Relative, not #lib: the integration suites import this module without SvelteKit's aliases.
import { reasonMessage } from '../../moderation-reasons';
import { m } from '../../paraglide/messages.js';
import type { OutgoingMail } from './mailer';

export const MAIL_LOCALES = ['de', 'en', 'uk', 'ar', 'fa'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

/** A UI language from a profile, German when unknown. */
export function mailLocale(value: string | null | undefined): MailLocale {
	return (MAIL_LOCALES as readonly string[]).includes(value ?? '') ? (value as MailLocale) : 'de';
}

export type DecisionKind = 'published' | 'changes_requested' | 'rejected';

export interface DecisionMailInput {
	to: string;
	locale: MailLocale;
	kind: DecisionKind;
	title: string;
	reasonCodes: string[];
	note: string | null;
	/** Where the participant sees the piece (their list, or the public page once published). */
	url: string;
}

/** The short mail a participant gets when a moderator decided on their piece. */
export function decisionMail(input: DecisionMailInput): OutgoingMail {
	const o = { locale: input.locale };
	const { title, url } = input;
	const subject = {
		published: () => m.staff_mail_published_subject({ title }, o),
		changes_requested: () => m.staff_mail_changes_subject({ title }, o),
		rejected: () => m.staff_mail_rejected_subject({ title }, o)
	}[input.kind]();
	const lead = {
		published: () => m.staff_mail_published_body({ title }, o),
		changes_requested: () => m.staff_mail_changes_body({ title }, o),
		rejected: () => m.staff_mail_rejected_body({ title }, o)
	}[input.kind]();
	const lines = [lead, ''];
	if (input.kind !== 'published' && input.reasonCodes.length > 0) {
		lines.push(m.staff_mail_reasons(undefined, o));
		for (const code of input.reasonCodes) lines.push(`- ${reasonMessage(code)({}, o)}`);
		lines.push('');
	}
	if (input.note) lines.push(m.staff_mail_note(undefined, o), input.note, '');
	lines.push(m.staff_mail_link({ url }, o), '', m.staff_mail_footer(undefined, o));
	return { to: input.to, subject, text: lines.join('\n') };
}

/** The digest of new submissions for one staff member. */
export function digestMail(input: {
	to: string;
	locale: MailLocale;
	titles: string[];
	url: string;
}): OutgoingMail {
	const o = { locale: input.locale };
	const count = input.titles.length;
	const lines = [m.staff_mail_digest_body({ count }, o), ''];
	for (const title of input.titles)
		lines.push(`- ${title || m.staff_queue_untitled(undefined, o)}`);
	lines.push(
		'',
		m.staff_mail_link({ url: input.url }, o),
		'',
		m.staff_mail_digest_footer(undefined, o)
	);
	return {
		to: input.to,
		subject: m.staff_mail_digest_subject({ count }, o),
		text: lines.join('\n')
	};
}

/** The invitation to the staff area, with the link that sets a password. */
export function inviteMail(input: {
	to: string;
	locale: MailLocale;
	role: 'moderator' | 'facilitator';
	inviter: string;
	url: string;
}): OutgoingMail {
	const o = { locale: input.locale };
	const role =
		input.role === 'moderator'
			? m.staff_role_moderator(undefined, o)
			: m.staff_role_facilitator(undefined, o);
	return {
		to: input.to,
		subject: m.staff_mail_invite_subject(undefined, o),
		text: [
			m.staff_mail_invite_body({ role, inviter: input.inviter }, o),
			'',
			m.staff_mail_invite_link({ url: input.url }, o),
			'',
			m.staff_mail_footer(undefined, o)
		].join('\n')
	};
}
