/**
 * API keys and JWTs, the way the Supabase CLI's local gateway and services see them.
 *
 * The legacy HS256 secret and keys and the new-format keys are the CLI's well-known local values,
 * so this stack is interchangeable with `supabase start`. User access tokens are signed with an
 * ES256 key published as JWKS, so `auth.getClaims()` verifies them without a round trip.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	SignJWT,
	decodeProtectedHeader,
	exportJWK,
	generateKeyPair,
	importJWK,
	jwtVerify,
	type JWK,
	type JWTPayload,
	type CryptoKey
} from 'jose';

export const JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
export const PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';
/** HS256 `{iss: "supabase-demo", role: "anon", exp: 1983812996}` signed with JWT_SECRET. */
export const ANON_KEY =
	'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
/** HS256 `{iss: "supabase-demo", role: "service_role", exp: 1983812996}` signed with JWT_SECRET. */
export const SERVICE_ROLE_KEY =
	'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export type JwtClaims = JWTPayload & {
	role?: string;
	sub?: string;
	session_id?: string;
	is_anonymous?: boolean;
	[claim: string]: unknown;
};

export class JwtError extends Error {
	constructor(
		message: string,
		/** `expired` lets callers choose GoTrue's/PostgREST's distinct wording. */
		readonly reason: 'malformed' | 'signature' | 'expired' | 'claims' | 'algorithm'
	) {
		super(message);
	}
}

const CLOCK_SKEW_SECONDS = 30;
const hmacKey = new TextEncoder().encode(JWT_SECRET);

export interface Keys {
	/** Public JWKS document served at /auth/v1/.well-known/jwks.json. */
	jwks: { keys: JWK[] };
	signAccessToken(claims: JwtClaims, expiresInSeconds: number): Promise<string>;
	verify(token: string): Promise<JwtClaims>;
}

interface StoredKey {
	kid: string;
	privateJwk: JWK;
}

async function loadOrCreateSigningKey(dataDir?: string): Promise<StoredKey> {
	const file = dataDir ? join(dataDir, 'signing-key.json') : null;
	if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
	const { privateKey } = await generateKeyPair('ES256', { extractable: true });
	const stored: StoredKey = { kid: randomUUID(), privateJwk: await exportJWK(privateKey) };
	if (file && dataDir) {
		mkdirSync(dataDir, { recursive: true });
		writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
	}
	return stored;
}

/** Loads the ES256 signing key from `dataDir` (created on first use); in-memory when omitted. */
export async function createKeys(dataDir?: string): Promise<Keys> {
	const stored = await loadOrCreateSigningKey(dataDir);
	const privateKey = (await importJWK(stored.privateJwk, 'ES256')) as CryptoKey;
	const { d: _d, ...publicFields } = stored.privateJwk;
	const publicJwk: JWK = {
		...publicFields,
		kid: stored.kid,
		alg: 'ES256',
		use: 'sig',
		key_ops: ['verify']
	};
	const publicKey = (await importJWK(publicJwk, 'ES256')) as CryptoKey;

	return {
		jwks: { keys: [publicJwk] },
		signAccessToken: (claims, expiresInSeconds) => {
			const now = Math.floor(Date.now() / 1000);
			return new SignJWT(claims)
				.setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: stored.kid })
				.setIssuedAt(now)
				.setExpirationTime(now + expiresInSeconds)
				.sign(privateKey);
		},
		async verify(token) {
			let header;
			try {
				header = decodeProtectedHeader(token);
			} catch {
				throw new JwtError(
					'invalid JWT: unable to parse or verify signature, token is malformed',
					'malformed'
				);
			}
			let key: CryptoKey | Uint8Array;
			if (header.alg === 'HS256') key = hmacKey;
			else if (header.alg === 'ES256' && header.kid === stored.kid) key = publicKey;
			else
				throw new JwtError(
					`invalid JWT: signing method ${String(header.alg)} is invalid`,
					'algorithm'
				);
			try {
				const { payload } = await jwtVerify(token, key, {
					algorithms: [header.alg],
					clockTolerance: CLOCK_SKEW_SECONDS
				});
				return payload as JwtClaims;
			} catch (error) {
				const code = (error as { code?: string }).code;
				if (code === 'ERR_JWT_EXPIRED') throw new JwtError('JWT expired', 'expired');
				if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
					throw new JwtError(
						'invalid JWT: unable to parse or verify signature, signature is invalid',
						'signature'
					);
				if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
					throw new JwtError(`invalid JWT: ${(error as Error).message}`, 'claims');
				throw new JwtError(
					'invalid JWT: unable to parse or verify signature, token is malformed',
					'malformed'
				);
			}
		}
	};
}

/**
 * The CLI gateway's Authorization rewrite (spec §1.3): an explicit non-`sb_` bearer wins, then the
 * apikey is mapped (secret → service_role JWT, publishable → anon JWT, anything else copied as is).
 * Returns null when the request carries no token at all (treated as anon).
 */
export function gatewayToken(
	headers: Record<string, string | string[] | undefined>
): string | null {
	const authorization = first(headers['authorization']);
	if (authorization && !/^bearer\s+sb_/i.test(authorization)) {
		const match = /^bearer\s+(.+)$/i.exec(authorization.trim());
		return match ? match[1].trim() : authorization.trim();
	}
	const apikey = first(headers['apikey']);
	if (apikey === SECRET_KEY) return SERVICE_ROLE_KEY;
	if (apikey === PUBLISHABLE_KEY) return ANON_KEY;
	return apikey || null;
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}
