import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

describe('renderMarkdown', () => {
	it('renders headings one level below the page title', () => {
		expect(renderMarkdown('# Verantwortlich\n## Kontakt')).toBe(
			'<h2>Verantwortlich</h2>\n<h3>Kontakt</h3>'
		);
	});

	it('keeps single line breaks inside a paragraph, as postal addresses need', () => {
		expect(renderMarkdown('Werkstatt e. V.\nMusterstraße 1\n01067 Dresden\n\nZweiter Absatz')).toBe(
			'<p>Werkstatt e. V.<br>Musterstraße 1<br>01067 Dresden</p>\n<p>Zweiter Absatz</p>'
		);
	});

	it('renders bullet and numbered lists', () => {
		expect(renderMarkdown('- eins\n- zwei\n\n1. erstens\n2. zweitens')).toBe(
			'<ul><li>eins</li><li>zwei</li></ul>\n<ol><li>erstens</li><li>zweitens</li></ol>'
		);
	});

	it('renders bold, italic, quotes and safe links', () => {
		expect(
			renderMarkdown('> **Vorlage:** bitte *ausfüllen*, [Mail](mailto:info@example.org)')
		).toBe(
			'<blockquote><p><strong>Vorlage:</strong> bitte <em>ausfüllen</em>, <a href="mailto:info@example.org">Mail</a></p></blockquote>'
		);
	});

	it('escapes HTML so nothing executable reaches the page', () => {
		const html = renderMarkdown('<script>alert(1)</script>\n<img src=x onerror="alert(1)">');
		expect(html).not.toMatch(/<script|<img/);
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
	});

	it('leaves links with unsafe schemes as plain text', () => {
		for (const href of [
			'javascript:alert(1)',
			'JAVASCRIPT:alert(1)',
			'data:text/html,x',
			'//evil.example'
		]) {
			const html = renderMarkdown(`[klick](${href})`);
			expect(html, href).not.toContain('<a');
		}
	});

	it('drops HTML comments, where operators leave notes to themselves', () => {
		expect(renderMarkdown('<!-- interne Notiz -->\nText')).toBe('<p>Text</p>');
	});

	it('does not read underscores in addresses as emphasis', () => {
		expect(renderMarkdown('max_muster_frau@example.org')).toBe(
			'<p>max_muster_frau@example.org</p>'
		);
	});
});
