/**
 * The local mail outbox: instead of sending, every auth mail is printed through the stack's log
 * and kept in memory, listed at /auth/v1/outbox (HTML) and /auth/v1/outbox.json (tests). The app's
 * own mails (notifications, staff invitations) arrive by `POST /auth/v1/outbox` with the secret key
 * and are kept the same way, as type `notification`.
 */
import { randomUUID } from 'node:crypto';
import { sendJson } from '../core/http.ts';
import { badRequest } from './errors.ts';
import { readJson, requireAdmin } from './request.ts';
import type { Call } from './routes.ts';
import { readEmail } from './validate.ts';

export type MailType =
	'signup' | 'magiclink' | 'recovery' | 'invite' | 'email_change' | 'reauthentication';

export interface Mail {
	id: string;
	to: string;
	subject: string;
	/** An auth mail's type, or `notification` for a mail the app sent through POST /outbox. */
	type: MailType | 'notification';
	/** The one-time code the mail shows (verifyOtp({ email, token, type })). */
	otp: string;
	/** The hashed token the link carries (verifyOtp({ token_hash, type })). */
	token_hash: string;
	/** The link to click: /auth/v1/verify?token=…&type=…&redirect_to=… */
	action_link: string;
	redirect_to: string;
	sent_at: string;
	text: string;
	/** Only for `notification` mails that came with an HTML body. */
	html?: string;
}

/** What `POST /auth/v1/outbox` accepts: an app mail as a real mailer would take it. */
export interface AppMail {
	to: string;
	subject: string;
	text: string;
	html?: string;
}

const SUBJECTS: Record<MailType, string> = {
	signup: 'Confirm Your Signup',
	magiclink: 'Your Magic Link',
	recovery: 'Reset Your Password',
	invite: 'You have been invited',
	email_change: 'Confirm Email Change',
	reauthentication: 'Confirm reauthentication'
};

/** Size limits of an app mail: enough for any notification, too small to fill memory. */
const MAX_SUBJECT = 300;
const MAX_BODY = 100_000;

/** Keeps the last messages only: a long-running dev stack must not grow without bound. */
const MAX_MESSAGES = 500;

export class Outbox {
	#messages: Mail[] = [];

	constructor(private readonly log: (message: string) => void) {}

	send(
		mail: Omit<Mail, 'id' | 'subject' | 'sent_at' | 'text' | 'html'> & { type: MailType }
	): Mail {
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
		// Subject only: the address, code and link are personal data and log anyone in.
		this.log(`mail kept in the outbox (/auth/v1/outbox): ${subject}`);
		return full;
	}

	/** Keeps a mail the app sends itself (no link or code of the auth service). */
	sendAppMail(mail: AppMail): Mail {
		const full: Mail = {
			id: randomUUID(),
			to: mail.to.toLowerCase(),
			subject: mail.subject,
			type: 'notification',
			otp: '',
			token_hash: '',
			action_link: '',
			redirect_to: '',
			sent_at: new Date().toISOString(),
			text: mail.text,
			...(mail.html !== undefined ? { html: mail.html } : {})
		};
		this.#messages.push(full);
		if (this.#messages.length > MAX_MESSAGES) this.#messages.shift();
		this.log(`mail kept in the outbox (/auth/v1/outbox): ${full.subject}`);
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
	${
		m.type === 'notification'
			? `<pre>${escapeHtml(m.text)}</pre>`
			: `<p>Code: <code>${escapeHtml(m.otp)}</code></p>
	<p><a href="${escapeHtml(m.action_link)}">${escapeHtml(m.action_link)}</a></p>`
	}
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

/**
 * POST /auth/v1/outbox (secret key only): stores an app mail `{ to, subject, text, html? }` as the
 * local stand-in for SMTP. Answers 200 with the stored mail.
 */
export async function postOutbox(call: Call): Promise<void> {
	await requireAdmin(call.ctx, call.req);
	const body = await readJson(call.req);
	const to = readEmail(body.to);
	const { subject, text, html } = body;
	if (typeof subject !== 'string' || subject.trim() === '' || subject.length > MAX_SUBJECT)
		throw badRequest('validation_failed', `subject must be 1 to ${MAX_SUBJECT} characters`);
	if (typeof text !== 'string' || text.length > MAX_BODY)
		throw badRequest(
			'validation_failed',
			`text must be a string of at most ${MAX_BODY} characters`
		);
	if (html !== undefined && (typeof html !== 'string' || html.length > MAX_BODY))
		throw badRequest(
			'validation_failed',
			`html must be a string of at most ${MAX_BODY} characters`
		);
	const mail = call.ctx.outbox.sendAppMail({ to, subject, text, html: html as string | undefined });
	sendJson(call.res, 200, mail);
}

function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
