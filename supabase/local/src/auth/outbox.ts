/**
 * The local mail outbox: instead of sending, every auth mail is printed through the stack's log
 * and kept in memory, listed at /auth/v1/outbox (HTML) and /auth/v1/outbox.json (tests).
 */
import { randomUUID } from 'node:crypto';

export type MailType =
	'signup' | 'magiclink' | 'recovery' | 'invite' | 'email_change' | 'reauthentication';

export interface Mail {
	id: string;
	to: string;
	subject: string;
	type: MailType;
	/** The one-time code the mail shows (verifyOtp({ email, token, type })). */
	otp: string;
	/** The hashed token the link carries (verifyOtp({ token_hash, type })). */
	token_hash: string;
	/** The link to click: /auth/v1/verify?token=…&type=…&redirect_to=… */
	action_link: string;
	redirect_to: string;
	sent_at: string;
	text: string;
}

const SUBJECTS: Record<MailType, string> = {
	signup: 'Confirm Your Signup',
	magiclink: 'Your Magic Link',
	recovery: 'Reset Your Password',
	invite: 'You have been invited',
	email_change: 'Confirm Email Change',
	reauthentication: 'Confirm reauthentication'
};

/** Keeps the last messages only: a long-running dev stack must not grow without bound. */
const MAX_MESSAGES = 500;

export class Outbox {
	#messages: Mail[] = [];

	constructor(private readonly log: (message: string) => void) {}

	send(mail: Omit<Mail, 'id' | 'subject' | 'sent_at' | 'text'>): Mail {
		const subject = SUBJECTS[mail.type];
		const text = `${subject}\n\nFollow this link: ${mail.action_link}\nOr enter the code: ${mail.otp}\n`;
		const full: Mail = {
			...mail,
			id: randomUUID(),
			subject,
			sent_at: new Date().toISOString(),
			text
		};
		this.#messages.push(full);
		if (this.#messages.length > MAX_MESSAGES) this.#messages.shift();
		this.log(`mail to ${mail.to}: ${subject} — code ${mail.otp} — ${mail.action_link}`);
		return full;
	}

	/** Newest first; `to` filters by recipient (case-insensitive). */
	list(to?: string | null): Mail[] {
		const wanted = to?.toLowerCase();
		return this.#messages.filter((m) => !wanted || m.to === wanted).reverse();
	}

	html(): string {
		const rows = this.list()
			.map(
				(m) => `<article>
	<h2>${escapeHtml(m.subject)}</h2>
	<p class="meta">to <strong>${escapeHtml(m.to)}</strong> · ${escapeHtml(m.sent_at)} · type ${escapeHtml(m.type)}</p>
	<p>Code: <code>${escapeHtml(m.otp)}</code></p>
	<p><a href="${escapeHtml(m.action_link)}">${escapeHtml(m.action_link)}</a></p>
</article>`
			)
			.join('\n');
		return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local mail outbox</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
article { border: 1px solid #ccc; border-radius: 0.5rem; padding: 0.5rem 1rem; margin: 1rem 0; }
.meta { color: #555; }
a { word-break: break-all; }
</style>
</head>
<body>
<h1>Local mail outbox</h1>
<p>Mails the local auth service would have sent, newest first. Also as <a href="outbox.json">JSON</a>.</p>
${rows || '<p>No mail yet.</p>'}
</body>
</html>`;
	}
}

function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
