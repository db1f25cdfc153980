import { describe, expect, it } from 'vitest';
import type { StoryDoc, StoryInline } from '#lib/richtext/schema.ts';
import { renderStoryHtml, renderStoryJson } from './render';

const REL = 'rel="noopener noreferrer nofollow ugc"';
const story = (...inline: StoryInline[]): StoryDoc => ({
	type: 'doc',
	content: [{ type: 'paragraph', content: inline }]
});

describe('renderStoryHtml', () => {
	it('renders every allowed node and mark', () => {
		const doc: StoryDoc = {
			type: 'doc',
			content: [
				{
					type: 'paragraph',
					content: [
						{ type: 'text', text: 'a', marks: [{ type: 'bold' }] },
						{ type: 'text', text: 'b', marks: [{ type: 'italic' }] },
						{ type: 'hardBreak' },
						{
							type: 'text',
							text: 'c',
							marks: [{ type: 'link', attrs: { href: 'https://example.org/' } }]
						}
					]
				},
				{ type: 'paragraph' },
				{
					type: 'bulletList',
					content: [
						{
							type: 'listItem',
							content: [{ type: 'paragraph', content: [{ type: 'text', text: 'd' }] }]
						}
					]
				},
				{
					type: 'orderedList',
					attrs: { start: 1 },
					content: [{ type: 'listItem', content: [{ type: 'paragraph' }] }]
				},
				{
					type: 'orderedList',
					attrs: { start: 4 },
					content: [{ type: 'listItem', content: [{ type: 'paragraph' }] }]
				}
			]
		};
		expect(renderStoryHtml(doc)).toBe(
			'<div class="story" dir="auto">' +
				`<p><strong>a</strong><em>b</em><br><a href="https://example.org/" ${REL}>c</a></p>` +
				'<p></p><ul><li><p>d</p></li></ul><ol><li><p></p></li></ol><ol start="4"><li><p></p></li></ol>' +
				'</div>'
		);
	});

	it('keeps a link open across neighbouring text with different inner marks', () => {
		const link = { type: 'link', attrs: { href: 'https://example.org/' } } as const;
		const html = renderStoryHtml(
			story(
				{ type: 'text', text: 'plain ', marks: [link] },
				{ type: 'text', text: 'bold', marks: [{ type: 'bold' }, link] },
				{ type: 'text', text: ' after', marks: [link] },
				{ type: 'text', text: ' outside' }
			)
		);
		expect(html).toBe(
			`<div class="story" dir="auto"><p><a href="https://example.org/" ${REL}>plain <strong>bold</strong> after</a> outside</p></div>`
		);
	});

	it('starts a new link when the target changes', () => {
		const html = renderStoryHtml(
			story(
				{
					type: 'text',
					text: 'a',
					marks: [{ type: 'link', attrs: { href: 'https://a.example/' } }]
				},
				{
					type: 'text',
					text: 'b',
					marks: [{ type: 'link', attrs: { href: 'https://b.example/' } }]
				}
			)
		);
		expect(html).toContain(
			`<a href="https://a.example/" ${REL}>a</a><a href="https://b.example/" ${REL}>b</a>`
		);
	});

	it('sets lang and dir when given, and ignores a lang that is not a language tag', () => {
		expect(renderStoryHtml(story(), { lang: 'fa', dir: 'rtl' })).toBe(
			'<div class="story" lang="fa" dir="rtl"><p></p></div>'
		);
		expect(renderStoryHtml(story(), { lang: 'en" onclick="alert(1)' })).toBe(
			'<div class="story" dir="auto"><p></p></div>'
		);
		expect(renderStoryHtml(story(), { dir: 'sideways' as 'ltr' })).toContain('dir="auto"');
	});

	it('keeps text exactly as written, bidi controls included, escaping only markup characters', () => {
		const text = 'مرحبا \u202eabc\u202c & <b> "x" \'y\'';
		expect(renderStoryHtml(story({ type: 'text', text }))).toBe(
			`<div class="story" dir="auto"><p>مرحبا \u202eabc\u202c &amp; &lt;b&gt; "x" 'y'</p></div>`
		);
	});

	it('drops a link mark whose target is not allowed even if validation was bypassed, keeping the text', () => {
		const doc = story({
			type: 'text',
			text: 'click',
			marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }, { type: 'bold' }]
		});
		expect(renderStoryHtml(doc)).toBe(
			'<div class="story" dir="auto"><p><strong>click</strong></p></div>'
		);
	});

	it('ignores node and mark types outside the schema even if validation was bypassed', () => {
		const doc = {
			type: 'doc',
			content: [
				{ type: 'image', attrs: { src: 'x' } },
				{
					type: 'paragraph',
					content: [{ type: 'text', text: 'x', marks: [{ type: 'code' }, { type: 'bold' }] }]
				}
			]
		} as unknown as StoryDoc;
		expect(renderStoryHtml(doc)).toBe(
			'<div class="story" dir="auto"><p><strong>x</strong></p></div>'
		);
	});
});

describe('renderStoryJson', () => {
	it('renders valid JSON', () => {
		expect(renderStoryJson({ type: 'doc', content: [{ type: 'paragraph' }] }, { lang: 'uk' })).toBe(
			'<div class="story" lang="uk" dir="auto"><p></p></div>'
		);
	});

	it('returns null for JSON that fails validation', () => {
		expect(renderStoryJson({ type: 'doc', content: [{ type: 'image' }] })).toBeNull();
		expect(renderStoryJson('<p>hi</p>')).toBeNull();
	});
});
