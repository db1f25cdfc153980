import { defineEnvVars } from '@sveltejs/kit/env';

/** An optional setting: unset stays `undefined`, so each reader keeps its own default. */
const optional = (value: string | undefined) => value;

/**
 * The app's environment (README, "Deploying"). Read when the server starts, never inlined into
 * the build, so one build serves every deployment. Public ones reach the browser through
 * `$app/env/public`; the rest only the server through `$app/env/private`. All are optional here
 * because `vite build` validates them too, on a machine that has none: the modules that need the
 * Supabase ones say so when they are first used (supabase-admin.ts).
 */
export const variables = defineEnvVars({
	PUBLIC_SUPABASE_URL: {
		public: true,
		schema: optional,
		description: 'The Supabase project URL (the local stack: http://127.0.0.1:54321).'
	},
	PUBLIC_SUPABASE_PUBLISHABLE_KEY: {
		public: true,
		schema: optional,
		description: "The project's publishable (or legacy anon) key."
	},
	SUPABASE_SECRET_KEY: {
		schema: optional,
		description: 'The secret (or legacy service_role) key: server only, never shipped.'
	},
	ORIGIN: { schema: optional, description: 'The public origin, for absolute URLs in mails.' },
	PAGE_CACHE_SECONDS: { schema: optional, description: 'Page cache lifetime; 0 = off.' },
	SWEEP_INTERVAL_MINUTES: { schema: optional, description: 'Retention sweeper; 0 = off.' },
	DIGEST_INTERVAL_MINUTES: { schema: optional, description: 'Staff digest mail; 0 = off.' },
	LEGAL_CONTENT_DIR: { schema: optional, description: 'Folder of the imprint and privacy texts.' },
	MAIL_TRANSPORT: { schema: optional, description: 'How mails leave: webhook or the outbox.' },
	MAIL_WEBHOOK_URL: { schema: optional, description: 'The mail relay receiving {to, subject…}.' },
	MAIL_WEBHOOK_TOKEN: { schema: optional, description: "The mail relay's bearer token." },
	CACHE_PURGE_URL: { schema: optional, description: 'CDN purge hook after every unpublish.' },
	CACHE_PURGE_TOKEN: { schema: optional, description: "The purge hook's bearer token." }
});
