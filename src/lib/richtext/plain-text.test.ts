import { describe, expect, it } from 'vitest';
import {
	isEmptyStory,
	storyCharacterCount,
	storyFromPlainText,
	storyPlainText
} from './plain-text';
import type { StoryDoc } from './schema';
import { validateStory } from './validate';

const story: StoryDoc = {
	type: 'doc',
	content: [
		{
			type: 'paragraph',
			content: [
				{ type: 'text', text: 'Erste ' },
				{ type: 'text', text: 'Zeile', marks: [{ type: 'bold' }] },
				{ type: 'hardBreak' },
				{ type: 'text', text: 'zweite' }
			]
		},
		{
			type: 'bulletList',
			content: [
				{
					type: 'listItem',
					content: [
						{ type: 'paragraph', content: [{ type: 'text', text: 'Punkt' }] },
						{
							type: 'orderedList',
							attrs: { start: 1 },
							content: [
								{
									type: 'listItem',
									content: [{ type: 'paragraph', content: [{ type: 'text', text: 'innen' }] }]
								}
							]
						}
					]
				}
			]
		},
		{ type: 'paragraph' },
		{ type: 'paragraph', content: [{ type: 'text', text: 'Ende 🧵' }] }
	]
};

describe('storyPlainText', () => {
	it('puts every paragraph and hard break on its own line, without list markers', () => {
		expect(storyPlainText(story)).toBe('Erste Zeile\nzweite\nPunkt\ninnen\n\nEnde 🧵');
	});
});

describe('storyCharacterCount', () => {
	it('counts code points, so an emoji is one character', () => {
		expect(storyCharacterCount(story)).toBe(
			'Erste Zeile\nzweite\nPunkt\ninnen\n\nEnde '.length + 1
		);
	});
});

describe('isEmptyStory', () => {
	it('is true for empty paragraphs, breaks and whitespace only', () => {
		expect(isEmptyStory({ type: 'doc', content: [{ type: 'paragraph' }] })).toBe(true);
		expect(
			isEmptyStory({
				type: 'doc',
				content: [
					{
						type: 'paragraph',
						content: [{ type: 'hardBreak' }, { type: 'text', text: ' \u00a0\t' }]
					},
					{ type: 'paragraph' }
				]
			})
		).toBe(true);
	});

	it('is false as soon as there is visible text', () => {
		expect(isEmptyStory(story)).toBe(false);
	});
});

describe('storyFromPlainText', () => {
	it('makes one paragraph per line and keeps blank lines between them', () => {
		expect(storyFromPlainText('Erste\r\n\r\nDritte  \nقصة\n\n')).toEqual({
			type: 'doc',
			content: [
				{ type: 'paragraph', content: [{ type: 'text', text: 'Erste' }] },
				{ type: 'paragraph' },
				{ type: 'paragraph', content: [{ type: 'text', text: 'Dritte' }] },
				{ type: 'paragraph', content: [{ type: 'text', text: 'قصة' }] }
			]
		});
	});

	it('produces a story the validator accepts unchanged, markup staying text', () => {
		const doc = storyFromPlainText('<img src=x onerror=alert(1)>\n[link](javascript:alert(1))');
		expect(validateStory(doc)).toEqual({ ok: true, doc });
	});
});
