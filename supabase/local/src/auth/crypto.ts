/** Passwords, one-time codes and token hashes as GoTrue makes them. */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import bcrypt from 'bcryptjs';

const BCRYPT_COST = 10;

/** bcrypt `$2a$` hashes, the variant pgcrypto's `crypt(pw, gen_salt('bf'))` also produces. */
export function hashPassword(password: string): Promise<string> {
	// bcryptjs salts as $2b$; $2a$ is the same algorithm for these inputs and matches GoTrue/pgcrypto.
	return bcrypt.hash(password, bcrypt.genSaltSync(BCRYPT_COST).replace(/^\$2b\$/, '$2a$'));
}

/** Accepts `$2a$`, `$2b$` and `$2y$` hashes; anything else (or no hash) never matches. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
	if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash)) return false;
	return bcrypt.compare(password, hash);
}

/** A numeric one-time code of `length` digits. */
export function generateOtp(length: number): string {
	let out = '';
	for (let i = 0; i < length; i++) out += String(randomInt(10));
	return out;
}

/** GoTrue's `crypto.GenerateTokenHash`: hex(SHA-224(email + otp)). */
export function tokenHash(emailOrPhone: string, otp: string): string {
	return createHash('sha224')
		.update(emailOrPhone + otp)
		.digest('hex');
}

/** An opaque, unguessable refresh token. */
export function randomToken(bytes = 16): string {
	return randomBytes(bytes).toString('base64url');
}

/** PKCE S256: base64url(SHA-256(verifier)) without padding. */
export function s256(verifier: string): string {
	return createHash('sha256').update(verifier).digest('base64url');
}

/** Constant-time-ish string comparison for secrets of equal length. */
export function sameSecret(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}
