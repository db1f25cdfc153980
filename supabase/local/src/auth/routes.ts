/**
 * The public GoTrue endpoints (spec §2.6, §2.8): sign-up (email and anonymous), the token grants,
 * magic link / OTP, verification, recovery, the current user and logout.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asPgError } from '../core/db.ts';
import { sendJson } from '../core/http.ts';
import type { AuthContext } from './context.ts';
import { authTx } from './db.ts';
import { hashPassword, verifyPassword } from './crypto.ts';
import { AuthError, OAuthError, badRequest, forbidden, unprocessable } from './errors.ts';
import {
	consumeToken,
	issueAuthCode,
	issueCurrentEmailToken,
	issueToken,
	readPkce,
	readVerifyType,
	redeemAuthCode,
	type Pkce,
	type VerifiedToken
} from './otp.ts';
import { pickRedirect } from './redirect.ts';
import { clientIp, readJson, requireUser } from './request.ts';
import { endSessions, refreshSession, startSession, type AmrMethod } from './sessions.ts';
import {
	findUserByEmail,
	findUserById,
	insertUser,
	isBanned,
	loadUserJson,
	mergeMetadata,
	upsertEmailIdentity,
	type NewUser,
	type UserRow
} from './users.ts';
import { checkPassword, optionalString, readEmail, readObject } from './validate.ts';
import type { Queryable } from '../core/db.ts';

export interface Call {
	ctx: AuthContext;
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
}

const EMAIL_APP_METADATA = { provider: 'email', providers: ['email'] };

/** Inserts a user; a failing app trigger becomes GoTrue's 500 "Database error saving new user". */
async function createUser(
	call: Call,
	tx: Queryable,
	user: NewUser,
	message = 'Database error saving new user'
): Promise<UserRow> {
	try {
		return await insertUser(tx, user);
	} catch (error) {
		const pg = asPgError(error);
		if (pg?.code === '23505' && /email/.test(`${pg.message} ${pg.detail ?? ''}`))
			throw unprocessable(
				'email_exists',
				'A user with this email address has already been registered'
			);
		call.ctx.stack.log(`auth: ${message}: ${pg ? `${pg.message} (${pg.code})` : String(error)}`);
		throw new AuthError(500, 'unexpected_failure', message);
	}
}

function redirectOf(call: Call, body?: Record<string, unknown>): string {
	const requested =
		call.url.searchParams.get('redirect_to') ?? optionalString(body?.redirect_to) ?? undefined;
	return pickRedirect(call.ctx.settings, requested, call.req.headers.referer);
}

/** POST /signup — email+password, or anonymous when neither email nor phone is given. */
export async function signup(call: Call): Promise<void> {
	const { ctx } = call;
	const body = await readJson(call.req);
	if (!ctx.settings.enableSignup)
		throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
	const data = readObject(body.data, 'data') ?? {};
	if (!optionalString(body.email) && !optionalString(body.phone)) {
		return anonymousSignup(call, data);
	}
	if (optionalString(body.email) && optionalString(body.phone))
		throw badRequest(
			'validation_failed',
			'Only an email address or phone number should be provided on signup.'
		);
	if (optionalString(body.phone))
		throw unprocessable('phone_provider_disabled', 'Phone signups are disabled');
	if (!ctx.settings.enableEmailSignup)
		throw unprocessable('email_provider_disabled', 'Email signups are disabled');
	const email = readEmail(body.email);
	const password = optionalString(body.password);
	if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
	checkPassword(ctx.settings, password);
	const pkce = readPkce(body);
	const redirectTo = redirectOf(call, body);
	ctx.limiter.take('signInSignUps', clientIp(call.req));
	const passwordHash = await hashPassword(password);

	const result = await authTx(ctx.stack.db, async (tx) => {
		let user = await findUserByEmail(tx, email);
		if (user?.email_confirmed_at) {
			if (!ctx.settings.enableConfirmations)
				throw unprocessable('user_already_exists', 'User already registered');
			// With confirmations on, GoTrue answers as if it signed up someone new (no enumeration).
			return obfuscatedUser(email, data);
		}
		// An existing unconfirmed user is not updated: GoTrue cannot be sure of the claimed identity.
		if (!user) {
			user = await createUser(call, tx, {
				email,
				passwordHash,
				userMetadata: data,
				appMetadata: EMAIL_APP_METADATA,
				confirmed: !ctx.settings.enableConfirmations
			});
		}
		if (!ctx.settings.enableConfirmations) {
			if (!user.email_confirmed_at) {
				await tx.query('update auth.users set email_confirmed_at = now() where id = $1', [user.id]);
				await upsertEmailIdentity(tx, user.id, email, {}, true);
			}
			return startSession(ctx, tx, user, 'password', userAgent(call));
		}
		await issueToken(ctx, tx, user, 'signup', { redirectTo, pkce });
		return loadUserJson(tx, (await findUserById(tx, user.id)) as UserRow);
	});
	sendJson(call.res, 200, result);
}

function obfuscatedUser(email: string, data: Record<string, unknown>): Record<string, unknown> {
	const now = new Date().toISOString();
	const bytes = randomBytes(16);
	bytes[6] = (bytes[6] & 0x0f) | 0x40;
	bytes[8] = (bytes[8] & 0x3f) | 0x80;
	const hex = bytes.toString('hex');
	return {
		id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
		aud: 'authenticated',
		role: '',
		email,
		phone: '',
		confirmation_sent_at: now,
		app_metadata: EMAIL_APP_METADATA,
		user_metadata: data,
		identities: [],
		created_at: now,
		updated_at: now,
		is_anonymous: false
	};
}

async function anonymousSignup(call: Call, data: Record<string, unknown>): Promise<void> {
	const { ctx } = call;
	if (!ctx.settings.enableAnonymous)
		throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
	ctx.limiter.take('anonymousUsers', clientIp(call.req));
	const session = await authTx(ctx.stack.db, async (tx) => {
		const user = await createUser(
			call,
			tx,
			{ userMetadata: data, appMetadata: {}, isAnonymous: true },
			'Database error creating anonymous user'
		);
		return startSession(ctx, tx, user, 'anonymous', userAgent(call));
	});
	sendJson(call.res, 200, session);
}

function userAgent(call: Call): string | undefined {
	const value = call.req.headers['user-agent'];
	return typeof value === 'string' ? value : undefined;
}

/** POST /token?grant_type=password|refresh_token|pkce */
export async function token(call: Call): Promise<void> {
	const grant = call.url.searchParams.get('grant_type');
	const body = await readJson(call.req);
	if (grant === 'password') return passwordGrant(call, body);
	if (grant === 'refresh_token') return refreshGrant(call, body);
	if (grant === 'pkce') return pkceGrant(call, body);
	throw badRequest('invalid_credentials', 'unsupported_grant_type');
}

async function passwordGrant(call: Call, body: Record<string, unknown>): Promise<void> {
	const { ctx } = call;
	if (optionalString(body.phone) && !optionalString(body.email))
		throw badRequest('phone_provider_disabled', 'Phone logins are disabled');
	const password = typeof body.password === 'string' ? body.password : '';
	ctx.limiter.take('signInSignUps', clientIp(call.req));
	const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
	const user = email ? await authTx(ctx.stack.db, (tx) => findUserByEmail(tx, email)) : null;
	if (!user || !(await verifyPassword(password, user.encrypted_password)))
		throw badRequest('invalid_credentials', 'Invalid login credentials');
	if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
	if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
	const session = await authTx(ctx.stack.db, (tx) =>
		startSession(ctx, tx, user, 'password', userAgent(call))
	);
	sendJson(call.res, 200, session);
}

async function refreshGrant(call: Call, body: Record<string, unknown>): Promise<void> {
	const { ctx } = call;
	const presented = optionalString(body.refresh_token);
	if (!presented) throw new OAuthError('invalid_request', 'refresh_token required');
	ctx.limiter.take('tokenRefresh', clientIp(call.req));
	const result = await authTx(ctx.stack.db, (tx) => refreshSession(ctx, tx, presented));
	// The family was revoked in a committed transaction; only now answer with the error.
	if ('reuseDetected' in result)
		throw badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used');
	sendJson(call.res, 200, result);
}

async function pkceGrant(call: Call, body: Record<string, unknown>): Promise<void> {
	const { ctx } = call;
	const authCode = optionalString(body.auth_code);
	const verifier = optionalString(body.code_verifier);
	if (!authCode || !verifier)
		throw badRequest(
			'validation_failed',
			'invalid request: both auth code and code verifier should be non-empty'
		);
	const session = await authTx(ctx.stack.db, async (tx) => {
		const flow = await redeemAuthCode(ctx, tx, authCode, verifier);
		const user = await findUserById(tx, flow.userId);
		if (!user || user.deleted_at) throw forbidden('user_not_found', 'User not found');
		if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
		return startSession(ctx, tx, user, 'otp', userAgent(call));
	});
	sendJson(call.res, 200, session);
}

/** POST /otp — magic link / email OTP; creates the user unless `create_user` is false. */
export async function otp(call: Call): Promise<void> {
	const { ctx } = call;
	const body = await readJson(call.req);
	if (optionalString(body.phone) && !optionalString(body.email))
		throw unprocessable('phone_provider_disabled', 'Unsupported phone provider');
	const email = readEmail(body.email);
	const data = readObject(body.data, 'data') ?? {};
	const pkce = readPkce(body);
	const redirectTo = redirectOf(call, body);
	const createAllowed = body.create_user !== false;
	ctx.limiter.take('emailSent', clientIp(call.req));
	// Hashed up front: bcrypt inside the transaction would hold PGlite's only connection.
	const temporaryPasswordHash = await hashPassword(randomBytes(24).toString('base64url'));
	await authTx(ctx.stack.db, async (tx) => {
		let user = await findUserByEmail(tx, email);
		if (!user) {
			if (!createAllowed) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
			if (!ctx.settings.enableSignup || !ctx.settings.enableEmailSignup)
				throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
			// GoTrue gives OTP users a random password so encrypted_password is never empty.
			user = await createUser(call, tx, {
				email,
				passwordHash: temporaryPasswordHash,
				userMetadata: data,
				appMetadata: EMAIL_APP_METADATA
			});
		}
		if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
		await issueToken(ctx, tx, user, user.email_confirmed_at ? 'magiclink' : 'signup', {
			redirectTo,
			pkce
		});
	});
	sendJson(call.res, 200, {});
}

/** POST /verify — `{type, token_hash}` or `{type, email, token}`; answers with a session. */
export async function verifyPost(call: Call): Promise<void> {
	const { ctx } = call;
	const body = await readJson(call.req);
	const type = readVerifyType(body.type);
	const tokenHashValue = optionalString(body.token_hash);
	const otpValue = optionalString(body.token);
	if (tokenHashValue && otpValue)
		throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
	if (!tokenHashValue && !otpValue)
		throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
	if (tokenHashValue && (body.email || body.phone))
		throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
	if (otpValue && optionalString(body.phone))
		throw unprocessable(
			'phone_provider_disabled',
			'Phone verification is not supported by the local stack'
		);
	const lookup = tokenHashValue
		? { hash: tokenHashValue }
		: { email: readEmail(body.email), otp: otpValue as string };
	ctx.limiter.take('tokenVerifications', clientIp(call.req));
	const result = await authTx(ctx.stack.db, async (tx) => {
		const verified = await consumeToken(ctx, tx, type, lookup);
		if (verified.pendingEmailChange) return pendingEmailChangeBody();
		return sessionFor(call, tx, verified);
	});
	sendJson(call.res, 200, result);
}

function pendingEmailChangeBody() {
	return {
		msg: 'Confirmation link accepted. Please proceed to confirm link sent to the other email',
		code: 200
	};
}

async function sessionFor(call: Call, tx: Queryable, verified: VerifiedToken) {
	const user = (await findUserById(tx, verified.user.id)) as UserRow;
	if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
	const method: AmrMethod = 'otp';
	return startSession(call.ctx, tx, user, method, userAgent(call));
}

/** GET /verify — the link in a mail: 303 to redirect_to with a session fragment or `?code=`. */
export async function verifyGet(call: Call): Promise<void> {
	const { ctx, url } = call;
	const redirectTo = pickRedirect(
		ctx.settings,
		url.searchParams.get('redirect_to'),
		call.req.headers.referer
	);
	const stored = url.searchParams.get('token') ?? '';
	const isPkce = stored.startsWith('pkce_');
	let location: URL;
	try {
		const type = readVerifyType(url.searchParams.get('type'));
		ctx.limiter.take('tokenVerifications', clientIp(call.req));
		location = await authTx(ctx.stack.db, async (tx) => {
			const verified = await consumeToken(ctx, tx, type, { hash: stored });
			const target = new URL(redirectTo);
			if (verified.pendingEmailChange) {
				target.hash = new URLSearchParams({ message: pendingEmailChangeBody().msg }).toString();
				return target;
			}
			if (verified.pkce) {
				target.searchParams.set('code', await issueAuthCode(tx, verified.user.id, verified.type));
				return target;
			}
			const session = await sessionFor(call, tx, verified);
			target.hash = new URLSearchParams({
				access_token: session.access_token,
				expires_at: String(session.expires_at),
				expires_in: String(session.expires_in),
				refresh_token: session.refresh_token,
				token_type: 'bearer',
				type: verified.type,
				sb: ''
			}).toString();
			return target;
		});
	} catch (error) {
		if (!(error instanceof AuthError)) throw error;
		const params = new URLSearchParams({
			error: error.status === 403 ? 'access_denied' : 'server_error',
			error_code: error.code,
			error_description:
				error.code === 'otp_expired' ? 'Email link is invalid or has expired' : error.message,
			sb: ''
		});
		location = new URL(redirectTo);
		if (isPkce)
			for (const [key, value] of params) if (key !== 'sb') location.searchParams.set(key, value);
		location.hash = params.toString();
	}
	call.res.writeHead(303, { location: location.toString() });
	call.res.end();
}

/** POST /recover — sends a recovery mail; unknown addresses get the same 200 (no enumeration). */
export async function recover(call: Call): Promise<void> {
	const { ctx } = call;
	const body = await readJson(call.req);
	const email = readEmail(body.email);
	const pkce = readPkce(body);
	const redirectTo = redirectOf(call, body);
	ctx.limiter.take('emailSent', clientIp(call.req));
	await authTx(ctx.stack.db, async (tx) => {
		const user = await findUserByEmail(tx, email);
		if (user) await issueToken(ctx, tx, user, 'recovery', { redirectTo, pkce });
	});
	sendJson(call.res, 200, {});
}

/** POST /resend — signup confirmation or email change mail again. */
export async function resend(call: Call): Promise<void> {
	const { ctx } = call;
	const body = await readJson(call.req);
	const type = body.type;
	if (type !== 'signup' && type !== 'email_change')
		throw badRequest(
			'validation_failed',
			'Missing one of these types: signup, email_change, sms, phone_change'
		);
	const email = readEmail(body.email);
	const pkce = readPkce(body);
	const redirectTo = redirectOf(call, body);
	ctx.limiter.take('emailSent', clientIp(call.req));
	await authTx(ctx.stack.db, async (tx) => {
		if (type === 'signup') {
			const user = await findUserByEmail(tx, email);
			if (user?.email_confirmed_at)
				throw unprocessable('email_address_not_authorized', 'Email address already confirmed');
			if (user) await issueToken(ctx, tx, user, 'signup', { redirectTo, pkce });
			return;
		}
		const { rows } = await tx.query<UserRow>(
			'select * from auth.users where email_change = $1 limit 1',
			[email]
		);
		if (rows[0])
			await issueToken(ctx, tx, rows[0], 'email_change', { redirectTo, pkce, toEmail: email });
	});
	sendJson(call.res, 200, {});
}

/** GET /user */
export async function getUser(call: Call): Promise<void> {
	const body = await authTx(call.ctx.stack.db, async (tx) => {
		const { user } = await requireUser(call.ctx, call.req, tx);
		return loadUserJson(tx, user);
	});
	sendJson(call.res, 200, body);
}

/** PUT /user — email, password and `data` (user_metadata); never app_metadata. */
export async function updateUser(call: Call): Promise<void> {
	const { ctx } = call;
	const body = await readJson(call.req);
	if (body.app_metadata !== undefined)
		throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
	const data = readObject(body.data, 'data');
	const password = optionalString(body.password);
	const email = body.email !== undefined && body.email !== '' ? readEmail(body.email) : undefined;
	if (optionalString(body.phone))
		throw unprocessable(
			'phone_provider_disabled',
			'Phone changes are not supported by the local stack'
		);
	if (password) checkPassword(ctx.settings, password);
	const pkce: Pkce | null = readPkce(body);
	const redirectTo = redirectOf(call, body);
	const passwordHash = password ? await hashPassword(password) : undefined;

	const result = await authTx(ctx.stack.db, async (tx) => {
		const { user } = await requireUser(ctx, call.req, tx);
		if (password) {
			if (user.is_anonymous && !user.email && !email)
				throw unprocessable(
					'validation_failed',
					'Updating password of an anonymous user without an email or phone is not allowed'
				);
			if (await verifyPassword(password, user.encrypted_password))
				throw unprocessable(
					'same_password',
					'New password should be different from the old password.'
				);
			await tx.query(
				'update auth.users set encrypted_password = $2, updated_at = now() where id = $1',
				[user.id, passwordHash]
			);
		}
		if (data) {
			await tx.query(
				'update auth.users set raw_user_meta_data = $2, updated_at = now() where id = $1',
				[user.id, JSON.stringify(mergeMetadata(user.raw_user_meta_data, data))]
			);
		}
		if (email && email !== user.email) {
			const { rows: taken } = await tx.query(
				'select 1 from auth.users where email = $1 and id <> $2',
				[email, user.id]
			);
			if (taken.length)
				throw unprocessable(
					'email_exists',
					'A user with this email address has already been registered'
				);
			if (user.is_anonymous && !ctx.settings.enableConfirmations) {
				// Converting an anonymous user: with autoconfirm the address applies at once.
				await tx.query(
					`update auth.users set email = $2, email_confirmed_at = now(), is_anonymous = false,
						raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || $3::jsonb, updated_at = now()
					 where id = $1`,
					[user.id, email, JSON.stringify(EMAIL_APP_METADATA)]
				);
				const fresh = (await findUserById(tx, user.id)) as UserRow;
				await upsertEmailIdentity(tx, user.id, email, fresh.raw_user_meta_data ?? {}, true);
			} else {
				await issueToken(ctx, tx, user, 'email_change', { redirectTo, pkce, toEmail: email });
				if (ctx.settings.doubleConfirmChanges && user.email)
					await issueCurrentEmailToken(ctx, tx, user, redirectTo);
			}
		}
		return loadUserJson(tx, (await findUserById(tx, user.id)) as UserRow);
	});
	sendJson(call.res, 200, result);
}

/** POST /logout?scope=global|local|others → 204 */
export async function logout(call: Call): Promise<void> {
	const scope = call.url.searchParams.get('scope') ?? 'global';
	if (scope !== 'global' && scope !== 'local' && scope !== 'others')
		throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
	await authTx(call.ctx.stack.db, async (tx) => {
		const { user, sessionId } = await requireUser(call.ctx, call.req, tx);
		await endSessions(tx, user.id, sessionId, scope);
	});
	call.res.writeHead(204);
	call.res.end();
}

/** GET /reauthenticate — mails a nonce for a later password change. */
export async function reauthenticate(call: Call): Promise<void> {
	await authTx(call.ctx.stack.db, async (tx) => {
		const { user } = await requireUser(call.ctx, call.req, tx);
		if (!user.email)
			throw unprocessable('validation_failed', 'Reauthentication requires an email address');
		await issueToken(call.ctx, tx, user, 'reauthentication', {
			redirectTo: call.ctx.settings.siteUrl
		});
	});
	sendJson(call.res, 200, {});
}
