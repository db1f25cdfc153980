import { describe, expect, it } from 'vitest';
import { hasAuthCookieHeader, isAuthCookieName } from './auth-cookie';

describe('auth cookies', () => {
	it('knows Supabase auth cookies, chunked or not, and nothing else', () => {
		expect(isAuthCookieName('sb-127-auth-token')).toBe(true);
		expect(isAuthCookieName('sb-abcdefgh-auth-token.1')).toBe(true);
		expect(isAuthCookieName('sb-127-auth-token-code-verifier')).toBe(true);
		expect(isAuthCookieName('ct_locale')).toBe(false);
		expect(isAuthCookieName('xsb-127-auth-token')).toBe(false);
		expect(isAuthCookieName('sb-127-refresh')).toBe(false);
	});

	it('finds one anywhere in a Cookie header, by name only', () => {
		expect(hasAuthCookieHeader('sb-127-auth-token=base64-e30')).toBe(true);
		expect(hasAuthCookieHeader('ct_locale=de; sb-127-auth-token.0=x')).toBe(true);
		expect(hasAuthCookieHeader('ct_locale=de;sb-127-auth-token=x')).toBe(true);
		// A value that merely contains the name is not the cookie.
		expect(hasAuthCookieHeader('note=sb-127-auth-token')).toBe(false);
		expect(hasAuthCookieHeader('ct_locale=de')).toBe(false);
		expect(hasAuthCookieHeader('')).toBe(false);
		expect(hasAuthCookieHeader(null)).toBe(false);
	});
});
