/**
 * The GoTrue-compatible auth service under /auth/v1 (spec §2). Users, identities, sessions and
 * refresh tokens are real rows in the `auth` schema, written as `supabase_auth_admin`, so app
 * triggers on auth.users fire as on Supabase. Mails go to a local outbox instead of SMTP.
 */
import { loadProjectConfig } from '../core/config.ts';
import { DatabaseUnavailableError } from '../core/db.ts';
import { sendJson, type RequestContext, type Service, type StackContext } from '../core/http.ts';
import type { AuthContext } from './context.ts';
import { API_VERSION, AuthError, OAuthError, sendAuthError, sendOAuthError } from './errors.ts';
import { Outbox, postOutbox } from './outbox.ts';
import { RateLimiter } from './rate-limit.ts';
import { authSettings, type AuthSettings } from './settings.ts';
import * as routes from './routes.ts';
import * as admin from './admin.ts';

export type { Mail } from './outbox.ts';

type Handler = (call: routes.Call, ...params: string[]) => Promise<void>;

/** method → exact path or pattern → handler */
const TABLE: { method: string; path: string | RegExp; handler: Handler }[] = [
	{ method: 'POST', path: '/signup', handler: routes.signup },
	{ method: 'POST', path: '/token', handler: routes.token },
	{ method: 'POST', path: '/otp', handler: routes.otp },
	{ method: 'POST', path: '/magiclink', handler: routes.otp },
	{ method: 'POST', path: '/verify', handler: routes.verifyPost },
	{ method: 'GET', path: '/verify', handler: routes.verifyGet },
	{ method: 'POST', path: '/recover', handler: routes.recover },
	{ method: 'POST', path: '/resend', handler: routes.resend },
	{ method: 'GET', path: '/user', handler: routes.getUser },
	{ method: 'PUT', path: '/user', handler: routes.updateUser },
	{ method: 'POST', path: '/logout', handler: routes.logout },
	{ method: 'GET', path: '/reauthenticate', handler: routes.reauthenticate },
	{ method: 'POST', path: '/invite', handler: admin.invite },
	{ method: 'POST', path: '/admin/users', handler: admin.adminCreateUser },
	{ method: 'GET', path: '/admin/users', handler: admin.adminListUsers },
	{ method: 'GET', path: /^\/admin\/users\/([^/]+)$/, handler: admin.adminGetUser },
	{ method: 'PUT', path: /^\/admin\/users\/([^/]+)$/, handler: admin.adminUpdateUser },
	{ method: 'DELETE', path: /^\/admin\/users\/([^/]+)$/, handler: admin.adminDeleteUser },
	{ method: 'POST', path: '/admin/generate_link', handler: admin.adminGenerateLink },
	{ method: 'POST', path: '/outbox', handler: postOutbox }
];

export interface AuthService extends Service {
	/** The mails sent so far, newest first (also served at /auth/v1/outbox.json). */
	outbox: Outbox;
	settings: AuthSettings;
}

/** Creates the auth service for a running stack; settings come from the project's config.toml. */
export async function createAuthService(stack: StackContext): Promise<AuthService> {
	const settings = authSettings(loadProjectConfig(stack.projectDir));
	const ctx: AuthContext = {
		stack,
		settings,
		outbox: new Outbox(stack.log),
		limiter: new RateLimiter(settings.rateLimits)
	};
	return {
		prefix: '/auth/v1',
		outbox: ctx.outbox,
		settings,
		handle: (request) => handle(ctx, request)
	};
}

async function handle(ctx: AuthContext, { req, res, url, path }: RequestContext): Promise<boolean> {
	res.setHeader('x-supabase-api-version', API_VERSION);
	const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
	if (method === 'GET' && (path === '/health' || path === '/')) {
		sendJson(res, 200, {
			version: 'supabase-local',
			name: 'GoTrue',
			description: 'GoTrue-compatible auth of the local Supabase stack'
		});
		return true;
	}
	if (method === 'GET' && path === '/settings') {
		sendJson(res, 200, publicSettings(ctx.settings));
		return true;
	}
	if (method === 'GET' && path === '/.well-known/jwks.json') {
		sendJson(res, 200, ctx.stack.keys.jwks, { 'cache-control': 'public, max-age=600' });
		return true;
	}
	if ((path === '/outbox' || path === '/outbox.json') && !isLoopback(req.socket.remoteAddress)) {
		// The outbox holds working login codes: never hand it to another machine, even with --host.
		sendAuthError(
			req,
			res,
			new AuthError(403, 'not_admin', 'The mail outbox is only served to localhost')
		);
		return true;
	}
	if (method === 'GET' && path === '/outbox.json') {
		sendJson(res, 200, { messages: ctx.outbox.list(url.searchParams.get('to')) });
		return true;
	}
	if (method === 'GET' && path === '/outbox') {
		const html = ctx.outbox.html();
		res.writeHead(200, {
			'content-type': 'text/html; charset=utf-8',
			'content-length': Buffer.byteLength(html),
			'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'"
		});
		res.end(html);
		return true;
	}
	const call: routes.Call = { ctx, req, res, url };
	let pathKnown = false;
	for (const route of TABLE) {
		const match =
			typeof route.path === 'string'
				? route.path === path
					? []
					: null
				: (route.path.exec(path)?.slice(1) ?? null);
		if (!match) continue;
		pathKnown = true;
		if (route.method !== method) continue;
		try {
			await route.handler(call, ...match.map(decodeURIComponent));
		} catch (error) {
			if (res.headersSent) throw error;
			if (error instanceof AuthError) sendAuthError(req, res, error);
			else if (error instanceof OAuthError) sendOAuthError(res, error);
			else if (error instanceof DatabaseUnavailableError) {
				ctx.stack.log(`auth: ${req.method} ${path}: ${error.message}`, 'warn');
				sendAuthError(
					req,
					res,
					new AuthError(503, 'unexpected_failure', 'Database is not available')
				);
			} else {
				ctx.stack.log(
					`auth: ${req.method} ${path} failed: ${(error as Error).stack ?? String(error)}`,
					'error'
				);
				sendAuthError(
					req,
					res,
					new AuthError(
						500,
						'unexpected_failure',
						'Unexpected failure, please check server logs for more information'
					)
				);
			}
		}
		return true;
	}
	if (pathKnown) {
		sendAuthError(req, res, new AuthError(405, 'method_not_allowed', 'Method not allowed'));
		return true;
	}
	sendAuthError(req, res, new AuthError(404, 'not_found', 'Not found'));
	return true;
}

function publicSettings(settings: AuthSettings) {
	return {
		external: {
			anonymous_users: settings.enableAnonymous,
			email: settings.enableEmailSignup,
			phone: false,
			apple: false,
			azure: false,
			bitbucket: false,
			discord: false,
			facebook: false,
			figma: false,
			github: false,
			gitlab: false,
			google: false,
			keycloak: false,
			kakao: false,
			linkedin_oidc: false,
			notion: false,
			slack_oidc: false,
			spotify: false,
			twitch: false,
			twitter: false,
			workos: false,
			zoom: false
		},
		disable_signup: !settings.enableSignup,
		mailer_autoconfirm: !settings.enableConfirmations,
		phone_autoconfirm: false,
		sms_provider: '',
		saml_enabled: false
	};
}

function isLoopback(address: string | undefined): boolean {
	return (
		address === '::1' ||
		(address?.startsWith('127.') ?? false) ||
		(address?.startsWith('::ffff:127.') ?? false)
	);
}
