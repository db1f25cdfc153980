import { logger } from '../log.ts';

/**
 * A small pluggable mail sender. Production posts each mail as JSON to a webhook (a mail relay
 * such as a transactional-mail API or an SMTP bridge); the local stack keeps mails in its outbox
 * (`POST /auth/v1/outbox` with the secret key, listed at /auth/v1/outbox); without either, mails
 * are only logged. Sending never throws to the caller's business logic: see `sendQuietly`.
 */

export interface OutgoingMail {
	to: string;
	subject: string;
	text: string;
	html?: string;
}

export interface Mailer {
	/** Which transport this is, for logs and the staff settings page. */
	readonly kind: 'webhook' | 'outbox' | 'log';
	send(mail: OutgoingMail): Promise<void>;
}

export interface MailConfig {
	/** `MAIL_WEBHOOK_URL`: receives `POST {to, subject, text, html}` as JSON. */
	webhookUrl?: string;
	/** `MAIL_WEBHOOK_TOKEN`: sent as `Authorization: Bearer …` to the webhook. */
	webhookToken?: string;
	/** The Supabase URL and secret key: used for the outbox when the stack runs on this machine. */
	supabaseUrl?: string;
	secretKey?: string;
	/** `MAIL_TRANSPORT`: force `webhook`, `outbox` or `log`; otherwise picked as described above. */
	transport?: string;
	log?: (message: string) => void;
}

async function postJson(url: string, body: unknown, headers: Record<string, string>) {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(10_000)
	});
	if (!response.ok) {
		throw new Error(`mail transport answered ${response.status}: ${await response.text()}`);
	}
}

function isLoopback(url: string | undefined): boolean {
	if (!url) return false;
	const host = new URL(url).hostname;
	return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';
}

/** The mailer the configuration asks for (see `MailConfig`). */
export function createMailer(config: MailConfig): Mailer {
	const log = config.log ?? ((message: string) => logger.info(message));
	const transport =
		config.transport ||
		(config.webhookUrl ? 'webhook' : isLoopback(config.supabaseUrl) ? 'outbox' : 'log');
	if (transport === 'webhook' && config.webhookUrl) {
		const url = config.webhookUrl;
		const headers: Record<string, string> = config.webhookToken
			? { authorization: `Bearer ${config.webhookToken}` }
			: {};
		return { kind: 'webhook', send: (mail) => postJson(url, mail, headers) };
	}
	if (transport === 'outbox' && config.supabaseUrl && config.secretKey) {
		const url = `${config.supabaseUrl.replace(/\/$/, '')}/auth/v1/outbox`;
		const key = config.secretKey;
		return {
			kind: 'outbox',
			send: (mail) => postJson(url, mail, { apikey: key, authorization: `Bearer ${key}` })
		};
	}
	return {
		kind: 'log',
		send: async (mail) => log(`mail not sent, no transport configured: ${mail.subject}`)
	};
}

/** Sends and logs a failure instead of throwing: a mail must never undo a decision. */
export async function sendQuietly(mailer: Mailer, mail: OutgoingMail): Promise<boolean> {
	try {
		await mailer.send(mail);
		return true;
	} catch (error) {
		logger.error('mail failed', error, { transport: mailer.kind });
		return false;
	}
}
