/** Input checks GoTrue makes before touching the database. */
import { AuthError, badRequest } from './errors.ts';
import type { AuthSettings } from './settings.ts';

/** GoTrue's email check is deliberately loose: one @, a dot-free-or-not domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** A lower-cased, trimmed email address, or GoTrue's 400 validation error. */
export function readEmail(value: unknown): string {
	if (typeof value !== 'string' || !value.trim())
		throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
	const email = value.trim().toLowerCase();
	if (email.length > 255 || !EMAIL.test(email))
		throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
	return email;
}

/** A non-empty string, or undefined for anything else. */
export function optionalString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An optional JSON object field; 400 when it is present but not an object. */
export function readObject(value: unknown, name: string): Record<string, unknown> | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'object' || Array.isArray(value))
		throw badRequest('validation_failed', `${name} must be a JSON object`);
	return value as Record<string, unknown>;
}

/** Length is the CLI's only default password requirement (`minimum_password_length`, 6). */
export function checkPassword(settings: AuthSettings, password: string): void {
	if (password.length < settings.minPasswordLength) {
		const message = `Password should be at least ${settings.minPasswordLength} characters.`;
		throw new AuthError(422, 'weak_password', message, {
			weak_password: { reasons: ['length'], message }
		});
	}
	// bcrypt only looks at the first 72 bytes; GoTrue refuses longer passwords outright.
	if (Buffer.byteLength(password) > 72)
		throw badRequest('validation_failed', 'Password cannot be longer than 72 characters');
}
