/**
 * Sessions, refresh tokens and access tokens (spec §2.4, §2.5, §2.8 refresh grant). A session is
 * an auth.sessions row with a chain of auth.refresh_tokens; the access token's `amr` comes from
 * auth.mfa_amr_claims, where GoTrue keeps it too, so a refresh reproduces it.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../core/db.ts';
import type { JwtClaims } from '../core/keys.ts';
import { badRequest } from './errors.ts';
import { randomToken } from './crypto.ts';
import { loadUserJson, isBanned, findUserById, type UserRow } from './users.ts';
import type { AuthContext } from './context.ts';

export type AmrMethod =
	| 'password'
	| 'otp'
	| 'magiclink'
	| 'anonymous'
	| 'email/signup'
	| 'invite'
	| 'recovery'
	| 'email_change';

interface SessionRow {
	id: string;
	user_id: string;
	created_at: Date;
}

interface RefreshTokenRow {
	id: number;
	token: string;
	user_id: string;
	revoked: boolean;
	parent: string | null;
	session_id: string;
	updated_at: Date;
}

export interface SessionResponse {
	access_token: string;
	token_type: 'bearer';
	expires_in: number;
	expires_at: number;
	refresh_token: string;
	user: Record<string, unknown>;
}

/** Creates a session for `user` (sign-in of any kind) and returns GoTrue's token response. */
export async function startSession(
	ctx: AuthContext,
	tx: Queryable,
	user: UserRow,
	method: AmrMethod,
	userAgent: string | undefined
): Promise<SessionResponse> {
	const sessionId = randomUUID();
	await tx.query(
		`insert into auth.sessions (id, user_id, created_at, updated_at, aal, refreshed_at, user_agent)
		 values ($1, $2, now(), now(), 'aal1', now(), $3)`,
		[sessionId, user.id, userAgent ?? null]
	);
	await tx.query(
		`insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
		 values ($1, $2, now(), now(), $3)`,
		[randomUUID(), sessionId, method]
	);
	await tx.query(
		'update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1',
		[user.id]
	);
	await tx.query(`update auth.identities set last_sign_in_at = now() where user_id = $1`, [
		user.id
	]);
	const token = await insertRefreshToken(tx, user.id, sessionId, null);
	const fresh = (await findUserById(tx, user.id)) as UserRow;
	return tokenResponse(ctx, tx, fresh, sessionId, token);
}

async function insertRefreshToken(
	tx: Queryable,
	userId: string,
	sessionId: string,
	parent: string | null
): Promise<string> {
	const token = randomToken();
	await tx.query(
		`insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
		 values ('00000000-0000-0000-0000-000000000000', $1, $2, false, now(), now(), $3, $4)`,
		[token, userId, parent, sessionId]
	);
	return token;
}

async function tokenResponse(
	ctx: AuthContext,
	tx: Queryable,
	user: UserRow,
	sessionId: string,
	refreshToken: string
): Promise<SessionResponse> {
	const { rows: amr } = await tx.query<{ method: string; at: number }>(
		`select authentication_method as method, extract(epoch from created_at)::bigint as at
		 from auth.mfa_amr_claims where session_id = $1 order by created_at`,
		[sessionId]
	);
	const claims: JwtClaims = {
		iss: `${ctx.stack.url}/auth/v1`,
		sub: user.id,
		aud: user.aud ?? 'authenticated',
		email: user.email ?? '',
		phone: user.phone ?? '',
		app_metadata: user.raw_app_meta_data ?? {},
		user_metadata: user.raw_user_meta_data ?? {},
		role: user.role || 'authenticated',
		aal: 'aal1',
		amr: amr.map((entry) => ({ method: entry.method, timestamp: Number(entry.at) })),
		session_id: sessionId,
		is_anonymous: user.is_anonymous
	};
	const expiresIn = ctx.settings.jwtExpiry;
	const accessToken = await ctx.stack.keys.signAccessToken(claims, expiresIn);
	return {
		access_token: accessToken,
		token_type: 'bearer',
		expires_in: expiresIn,
		expires_at: Math.floor(Date.now() / 1000) + expiresIn,
		refresh_token: refreshToken,
		user: await loadUserJson(tx, user)
	};
}

/**
 * grant_type=refresh_token with rotation and reuse detection: a revoked token is accepted when it
 * is the parent of the session's active token (the client lost the response) or was revoked less
 * than `refresh_token_reuse_interval` seconds ago; otherwise the whole session is revoked.
 */
export async function refreshSession(
	ctx: AuthContext,
	tx: Queryable,
	presented: string
): Promise<SessionResponse | { reuseDetected: true }> {
	const { rows } = await tx.query<RefreshTokenRow>(
		'select * from auth.refresh_tokens where token = $1 for update',
		[presented]
	);
	const token = rows[0];
	if (!token)
		throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
	const { rows: sessions } = await tx.query<SessionRow>(
		'select * from auth.sessions where id = $1',
		[token.session_id]
	);
	if (!sessions[0])
		throw badRequest('session_not_found', 'Invalid Refresh Token: Session not found');
	const user = await findUserById(tx, token.user_id);
	if (!user || user.deleted_at)
		throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
	if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');

	if (token.revoked) {
		const { rows: active } = await tx.query<RefreshTokenRow>(
			`select * from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1`,
			[token.session_id]
		);
		if (active[0] && active[0].parent === token.token) {
			await touchSession(tx, token.session_id);
			return tokenResponse(ctx, tx, user, token.session_id, active[0].token);
		}
		const revokedAt = new Date(token.updated_at).getTime();
		if (Date.now() > revokedAt + ctx.settings.refreshTokenReuseInterval * 1000) {
			// Possible token theft: the whole family dies, the caller commits this and answers 400.
			await tx.query(
				'update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false',
				[token.session_id]
			);
			return { reuseDetected: true };
		}
	}
	if (!ctx.settings.refreshTokenRotation && !token.revoked) {
		await touchSession(tx, token.session_id);
		return tokenResponse(ctx, tx, user, token.session_id, token.token);
	}
	await tx.query(
		'update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1 and revoked = false',
		[token.id]
	);
	const next = await insertRefreshToken(tx, user.id, token.session_id, token.token);
	await touchSession(tx, token.session_id);
	return tokenResponse(ctx, tx, user, token.session_id, next);
}

async function touchSession(tx: Queryable, sessionId: string): Promise<void> {
	await tx.query(
		'update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1',
		[sessionId]
	);
}

/** Whether an auth.sessions row with this id still exists (it is deleted on logout). */
export async function sessionExists(tx: Queryable, sessionId: string): Promise<boolean> {
	const { rows } = await tx.query('select 1 from auth.sessions where id = $1', [sessionId]);
	return rows.length > 0;
}

/** /logout scopes: global = every session of the user, local = this one, others = all but this. */
export async function endSessions(
	tx: Queryable,
	userId: string,
	sessionId: string | undefined,
	scope: 'global' | 'local' | 'others'
): Promise<void> {
	if (scope === 'global' || !sessionId) {
		await tx.query('delete from auth.sessions where user_id = $1', [userId]);
	} else if (scope === 'local') {
		await tx.query('delete from auth.sessions where id = $1', [sessionId]);
	} else {
		await tx.query('delete from auth.sessions where user_id = $1 and id <> $2', [
			userId,
			sessionId
		]);
	}
}
