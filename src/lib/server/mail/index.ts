import * as env from '$app/env/private';
import * as publicEnv from '$app/env/public';
import { createMailer, type Mailer } from './mailer';

export { createMailer, sendQuietly, type Mailer, type OutgoingMail } from './mailer';
export { notifyMaker, sendSubmissionDigests } from './notify';

let mailer: Mailer | undefined;

/** The app's mailer from the environment (MAIL_TRANSPORT, MAIL_WEBHOOK_URL, MAIL_WEBHOOK_TOKEN). */
export function appMailer(): Mailer {
	mailer ??= createMailer({
		transport: env.MAIL_TRANSPORT,
		webhookUrl: env.MAIL_WEBHOOK_URL,
		webhookToken: env.MAIL_WEBHOOK_TOKEN,
		supabaseUrl: publicEnv.PUBLIC_SUPABASE_URL,
		secretKey: env.SUPABASE_SECRET_KEY
	});
	return mailer;
}

/** The public origin for links in mails: `ORIGIN` (adapter-node) when set, else the request's. */
export function siteUrl(requestOrigin?: string): string {
	return (env.ORIGIN || requestOrigin || 'http://localhost:5173').replace(/\/$/, '');
}
