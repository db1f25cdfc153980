import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import StoryEditor, { type StoryEditorLabels } from './StoryEditor.svelte';

const labels = new Proxy({} as StoryEditorLabels, {
	get: (_target, key) =>
		key === 'characterCount' ? (n: number, max: number) => `${n}/${max}` : String(key)
});

describe('StoryEditor on the server', () => {
	it('renders a plain textarea that works without JavaScript, and no editor', () => {
		const { body } = render(StoryEditor, {
			props: {
				name: 'story',
				labels,
				lang: 'ar',
				dir: 'rtl',
				value: {
					type: 'doc',
					content: [
						{
							type: 'paragraph',
							content: [{ type: 'text', text: '</textarea><script>alert(1)</script>' }]
						},
						{ type: 'paragraph', content: [{ type: 'text', text: 'قصة' }] }
					]
				}
			}
		});
		const textarea = /<textarea([^>]*)>([\s\S]*?)<\/textarea>/.exec(body);
		expect(textarea?.[1]).toContain('name="story_plain"');
		expect(textarea?.[1]).toContain('lang="ar"');
		expect(textarea?.[1]).toContain('dir="rtl"');
		expect(textarea?.[2]).toBe('&lt;/textarea>&lt;script>alert(1)&lt;/script>\nقصة');
		expect(body).not.toContain('<script');
		expect(body).not.toContain('contenteditable');
		expect(body).not.toContain('name="story"');
		expect(body).toContain('>40/5000<');
	});
});
