/**
 * Signed download and upload URLs: HS256 JWTs over the project secret with a `url` claim naming
 * `<bucket>/<key>`, as Storage signs them (spec §4.6).
 */
import { SignJWT, jwtVerify } from 'jose';
import { JWT_SECRET } from '../core/keys.ts';
import { errors } from './errors.ts';

const secret = new TextEncoder().encode(JWT_SECRET);

/** Storage's documented lifetime of a signed upload URL. */
export const SIGNED_UPLOAD_EXPIRY_SECONDS = 2 * 60 * 60;

export interface SignedDownload {
	url: string;
	exp: number;
}

export interface SignedUpload {
	url: string;
	owner?: string;
	upsert: boolean;
	exp: number;
}

export function signDownload(url: string, expiresIn: number): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	return new SignJWT({ url, scope: 'download' })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setIssuedAt(now)
		.setExpirationTime(now + Math.floor(expiresIn))
		.sign(secret);
}

export function signUpload(
	url: string,
	owner: string | undefined,
	upsert: boolean
): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	return new SignJWT({ owner, url, upsert, scope: 'upload' })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setIssuedAt(now)
		.setExpirationTime(now + SIGNED_UPLOAD_EXPIRY_SECONDS)
		.sign(secret);
}

async function verify(token: string | null): Promise<Record<string, unknown>> {
	if (!token) throw errors.invalidSignature('Missing token');
	try {
		const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
		return payload as Record<string, unknown>;
	} catch (error) {
		if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') throw errors.expiredToken();
		throw errors.invalidJwt((error as Error).message || 'Invalid JWT');
	}
}

/** Checks a download token for `<bucket>/<key>`. */
export async function verifyDownload(token: string | null, url: string): Promise<SignedDownload> {
	const payload = await verify(token);
	const scopeOk =
		payload.scope === 'download' || (payload.scope === undefined && payload.upsert === undefined);
	if (!scopeOk || payload.url !== url) throw errors.invalidSignature();
	return { url, exp: Number(payload.exp) };
}

/** Checks an upload token for `<bucket>/<key>`. */
export async function verifyUpload(token: string | null, url: string): Promise<SignedUpload> {
	const payload = await verify(token);
	const scopeOk =
		payload.scope === 'upload' || (payload.scope === undefined && payload.upsert !== undefined);
	if (!scopeOk || payload.url !== url) throw errors.invalidSignature();
	return {
		url,
		owner: typeof payload.owner === 'string' ? payload.owner : undefined,
		upsert: payload.upsert === true,
		exp: Number(payload.exp)
	};
}
