import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import LanguageSwitcher from './LanguageSwitcher.svelte';

describe('LanguageSwitcher', () => {
	it('lists every language by its own name, with lang, dir and hreflang', () => {
		render(LanguageSwitcher, { locale: 'ar', hrefFor: (locale: string) => `/${locale}/about` });
		const links = within(screen.getByRole('list')).getAllByRole('link');
		expect(
			links.map((link) => [
				link.textContent?.trim(),
				link.getAttribute('href'),
				link.getAttribute('lang'),
				link.getAttribute('hreflang'),
				link.getAttribute('dir')
			])
		).toEqual([
			['Deutsch', '/de/about', 'de', 'de', 'ltr'],
			['English', '/en/about', 'en', 'en', 'ltr'],
			['Українська', '/uk/about', 'uk', 'uk', 'ltr'],
			['العربية', '/ar/about', 'ar', 'ar', 'rtl'],
			['فارسی', '/fa/about', 'fa', 'fa', 'rtl']
		]);
	});

	it('marks the current language and shows it on the toggle', () => {
		render(LanguageSwitcher, { locale: 'uk', hrefFor: (locale: string) => `/${locale}/` });
		const current = screen.getAllByRole('link').filter((link) => link.hasAttribute('aria-current'));
		expect(current.map((link) => link.textContent?.trim())).toEqual(['Українська']);
		expect(document.querySelector('summary')?.textContent).toContain('Українська');
	});

	it('reloads the page on switch so every string and the document direction change', () => {
		render(LanguageSwitcher, { locale: 'de', hrefFor: (locale: string) => `/${locale}/` });
		for (const link of screen.getAllByRole('link')) {
			expect(link.hasAttribute('data-sveltekit-reload')).toBe(true);
		}
	});
});
