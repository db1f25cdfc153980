import { describe, expect, it } from 'vitest';
import { readStoryFormField } from './form';

const form = (entries: Record<string, string | Blob>) => {
	const data = new FormData();
	for (const [key, value] of Object.entries(entries)) data.append(key, value);
	return data;
};

describe('readStoryFormField', () => {
	it('reads the JSON the editor posts', () => {
		const doc = {
			type: 'doc',
			content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hallo' }] }]
		};
		expect(readStoryFormField(form({ story: JSON.stringify(doc) }), 'story')).toEqual({
			ok: true,
			doc
		});
	});

	it('prefers the JSON when both fields arrive', () => {
		const doc = {
			type: 'doc',
			content: [{ type: 'paragraph', content: [{ type: 'text', text: 'json' }] }]
		};
		const result = readStoryFormField(
			form({ story: JSON.stringify(doc), story_plain: 'plain' }),
			'story'
		);
		expect(result).toEqual({ ok: true, doc });
	});

	it('turns the no-JavaScript textarea into paragraphs, markup staying text', () => {
		expect(readStoryFormField(form({ story_plain: 'Eins\n<b>zwei</b>' }), 'story')).toEqual({
			ok: true,
			doc: {
				type: 'doc',
				content: [
					{ type: 'paragraph', content: [{ type: 'text', text: 'Eins' }] },
					{ type: 'paragraph', content: [{ type: 'text', text: '<b>zwei</b>' }] }
				]
			}
		});
	});

	it('reads a missing field as an empty story', () => {
		expect(readStoryFormField(form({}), 'story')).toEqual({
			ok: true,
			doc: { type: 'doc', content: [{ type: 'paragraph' }] }
		});
	});

	it('passes validation errors through', () => {
		const bad = { type: 'doc', content: [{ type: 'image', attrs: { src: 'x' } }] };
		expect(readStoryFormField(form({ story: JSON.stringify(bad) }), 'story')).toEqual({
			ok: false,
			code: 'story_invalid',
			path: ['content', 0, 'type']
		});
		expect(readStoryFormField(form({ story: 'not json' }), 'story')).toMatchObject({
			code: 'story_invalid'
		});
		expect(readStoryFormField(form({ story_plain: 'x'.repeat(5001) }), 'story')).toMatchObject({
			code: 'story_too_long'
		});
	});

	it('rejects a file where text was expected', () => {
		expect(readStoryFormField(form({ story: new Blob(['{}']) }), 'story')).toMatchObject({
			ok: false,
			code: 'story_invalid'
		});
	});
});
