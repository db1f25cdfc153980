import { describe, expect, it } from 'vitest';
import { languageVary } from './i18n';

describe('languageVary', () => {
	it('adds Accept-Language and Cookie once, keeping what is there', () => {
		expect(languageVary(null)).toBe('Accept-Language, Cookie');
		expect(languageVary('Accept-Encoding')).toBe('Accept-Encoding, Accept-Language, Cookie');
		expect(languageVary('accept-language')).toBe('accept-language, Cookie');
		expect(languageVary('Cookie, Accept-Language')).toBe('Cookie, Accept-Language');
		expect(languageVary('*')).toBeNull();
	});
});
