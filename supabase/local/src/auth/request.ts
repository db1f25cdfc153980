/** Reading auth requests: JSON bodies with a size limit, the caller's JWT, the client address. */
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../core/http.ts';
import { JwtError, gatewayToken, type JwtClaims } from '../core/keys.ts';
import type { Queryable } from '../core/db.ts';
import { AuthError, badRequest, forbidden } from './errors.ts';
import { findUserById, isBanned, type UserRow } from './users.ts';
import { sessionExists } from './sessions.ts';
import type { AuthContext } from './context.ts';

/** Auth bodies are small JSON objects; GoTrue rejects large ones too. */
const BODY_LIMIT = 256 * 1024;

/** Parses a JSON object body of at most BODY_LIMIT bytes (413 beyond, 400 if not JSON). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
	let raw: Buffer;
	try {
		raw = await readBody(req, BODY_LIMIT);
	} catch (error) {
		if (error instanceof BodyTooLargeError)
			throw new AuthError(
				413,
				'request_too_large',
				`Request body is larger than ${BODY_LIMIT} bytes`
			);
		throw error;
	}
	if (raw.length === 0) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw.toString('utf8'));
	} catch (error) {
		throw badRequest(
			'bad_json',
			`Could not parse request body as JSON: ${(error as Error).message}`
		);
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
		throw badRequest('bad_json', 'Could not parse request body as JSON: expected an object');
	return parsed as Record<string, unknown>;
}

/** The peer address, the key of per-IP rate limits. */
export function clientIp(req: IncomingMessage): string {
	return req.socket.remoteAddress ?? 'unknown';
}

/** Verifies the bearer token like GoTrue's requireAuthentication (spec §2.7), minus the DB part. */
export async function verifiedClaims(
	ctx: AuthContext,
	req: IncomingMessage
): Promise<JwtClaims & { token: string }> {
	const token = gatewayToken(req.headers);
	if (!token)
		throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
	try {
		return { ...(await ctx.stack.keys.verify(token)), token };
	} catch (error) {
		if (error instanceof JwtError) {
			const message =
				error.reason === 'expired'
					? 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired'
					: error.message;
			throw forbidden('bad_jwt', message);
		}
		throw error;
	}
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID string (GoTrue rejects other ids before querying). */
export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID.test(value);
}

export interface AuthenticatedUser {
	user: UserRow;
	claims: JwtClaims;
	sessionId: string | undefined;
}

/** The user behind the request's JWT, with GoTrue's checks for missing users and sessions. */
export async function requireUser(
	ctx: AuthContext,
	req: IncomingMessage,
	tx: Queryable
): Promise<AuthenticatedUser> {
	const claims = await verifiedClaims(ctx, req);
	if (!claims.sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
	if (!isUuid(claims.sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
	const user = await findUserById(tx, claims.sub);
	if (!user || user.deleted_at)
		throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
	const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined;
	if (sessionId && !(isUuid(sessionId) && (await sessionExists(tx, sessionId))))
		throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
	if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
	return { user, claims, sessionId };
}

/** Admin endpoints: a valid JWT whose role is an admin role (service_role via the secret key). */
export async function requireAdmin(ctx: AuthContext, req: IncomingMessage): Promise<JwtClaims> {
	const claims = await verifiedClaims(ctx, req);
	if (typeof claims.role !== 'string' || !ctx.settings.adminRoles.includes(claims.role))
		throw forbidden('not_admin', 'User not allowed');
	return claims;
}
