/** GoTrue's error responses (spec §2.2). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../core/http.ts';

export const API_VERSION = '2024-01-01';

/** An error answered with GoTrue's status, code and message. */
export class AuthError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		/** Extra top-level fields, e.g. `weak_password`. */
		readonly extra: Record<string, unknown> = {}
	) {
		super(message);
	}
}

/** OAuth-style error (`{error, error_description}`, always 400), used by the token endpoint. */
export class OAuthError extends Error {
	constructor(
		readonly error: string,
		readonly description: string
	) {
		super(description);
	}
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);
export const notFound = (code: string, message: string) => new AuthError(404, code, message);

/** Clients sending API version 2024-01-01 or later get `{code, message}`, older ones the legacy shape. */
export function sendAuthError(req: IncomingMessage, res: ServerResponse, error: AuthError): void {
	const requested = String(req.headers['x-supabase-api-version'] ?? '');
	const versioned = /^\d{4}-\d{2}-\d{2}$/.test(requested) && requested >= API_VERSION;
	const body = versioned
		? { code: error.code, message: error.message, ...error.extra }
		: { code: error.status, error_code: error.code, msg: error.message, ...error.extra };
	sendJson(res, error.status, body, {
		'x-sb-error-code': error.code,
		...(versioned ? { 'x-supabase-api-version': API_VERSION } : {})
	});
}

/** Answers an OAuthError as `{error, error_description}` with status 400. */
export function sendOAuthError(res: ServerResponse, error: OAuthError): void {
	sendJson(res, 400, { error: error.error, error_description: error.description });
}
