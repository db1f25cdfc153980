import { describe, expect, it } from 'vitest';
import { chosenLanguageUrl, languageVary } from './i18n';

describe('languageVary', () => {
	it('adds Accept-Language and Cookie once, keeping what is there', () => {
		expect(languageVary(null)).toBe('Accept-Language, Cookie');
		expect(languageVary('Accept-Encoding')).toBe('Accept-Encoding, Accept-Language, Cookie');
		expect(languageVary('accept-language')).toBe('accept-language, Cookie');
		expect(languageVary('Cookie, Accept-Language')).toBe('Cookie, Accept-Language');
		expect(languageVary('*')).toBeNull();
	});
});

describe('chosenLanguageUrl', () => {
	it('reads ?lang= on embed pages as their locale prefix', () => {
		expect(chosenLanguageUrl(new URL('http://x/embed/story/a?lang=ar'))?.href).toBe(
			'http://x/ar/embed/story/a?lang=ar'
		);
		expect(chosenLanguageUrl(new URL('http://x/embed/piece/1?lang=uk&b=2'))?.pathname).toBe(
			'/uk/embed/piece/1'
		);
	});

	it('leaves other pages, missing and unknown languages to the usual order', () => {
		expect(chosenLanguageUrl(new URL('http://x/gallery?lang=ar'))).toBeUndefined();
		expect(chosenLanguageUrl(new URL('http://x/embed/story/a'))).toBeUndefined();
		expect(chosenLanguageUrl(new URL('http://x/embed/story/a?lang=xx'))).toBeUndefined();
		expect(chosenLanguageUrl(new URL('http://x/embedded?lang=ar'))).toBeUndefined();
	});
});
