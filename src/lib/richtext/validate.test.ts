import { describe, expect, it } from 'vitest';
import {
	STORY_MAX_CHARACTERS,
	STORY_MAX_JSON_LENGTH,
	STORY_MAX_LIST_DEPTH,
	STORY_MAX_NODES,
	type StoryDoc
} from './schema';
import { parseStoryJson, validateStory } from './validate';

const text = (value: string, marks?: unknown[]) =>
	marks ? { type: 'text', text: value, marks } : { type: 'text', text: value };
const paragraph = (...content: unknown[]) => ({ type: 'paragraph', content });
const doc = (...content: unknown[]) => ({ type: 'doc', content });
const item = (...content: unknown[]) => ({ type: 'listItem', content });
const bullets = (...items: unknown[]) => ({ type: 'bulletList', content: items });

/** A list nested `depth` deep: `depth` = 1 is a plain list. */
function nestedList(depth: number): unknown {
	let list = bullets(item(paragraph(text('deepest'))));
	for (let level = 1; level < depth; level += 1) {
		list = bullets(item(paragraph(text(`level ${level}`)), list));
	}
	return list;
}

describe('validateStory accepts what the editor produces', () => {
	it('keeps a story with every allowed node, mark and attribute unchanged', () => {
		const story = {
			type: 'doc',
			content: [
				{
					type: 'paragraph',
					content: [
						{ type: 'text', text: 'Gestickt von ' },
						{ type: 'text', text: 'Amal', marks: [{ type: 'bold' }, { type: 'italic' }] },
						{ type: 'hardBreak' },
						{
							type: 'text',
							text: 'Werkstatt',
							marks: [{ type: 'link', attrs: { href: 'https://example.org/werkstatt' } }]
						}
					]
				},
				{ type: 'paragraph' },
				{
					type: 'orderedList',
					attrs: { start: 3 },
					content: [
						{
							type: 'listItem',
							content: [
								{ type: 'paragraph', content: [{ type: 'text', text: 'Faden' }] },
								{
									type: 'bulletList',
									content: [{ type: 'listItem', content: [{ type: 'paragraph' }] }]
								}
							]
						}
					]
				}
			]
		};
		const result = validateStory(structuredClone(story));
		expect(result).toEqual({ ok: true, doc: story });
	});

	it('returns a fresh copy, not the input object', () => {
		const input = doc(paragraph(text('a')));
		const result = validateStory(input);
		expect(result.ok && result.doc).not.toBe(input);
	});

	it('normalizes only empty text nodes, empty documents and a missing list start', () => {
		expect(validateStory(doc(paragraph(text(''), text('a'))))).toEqual({
			ok: true,
			doc: doc(paragraph(text('a')))
		});
		expect(validateStory({ type: 'doc' })).toEqual({
			ok: true,
			doc: { type: 'doc', content: [{ type: 'paragraph' }] }
		});
		expect(validateStory(doc({ type: 'orderedList', content: [item(paragraph())] }))).toEqual({
			ok: true,
			doc: doc({
				type: 'orderedList',
				attrs: { start: 1 },
				content: [item({ type: 'paragraph' })]
			})
		});
	});

	it('accepts empty attrs, marks and content arrays as tiptap may write them', () => {
		const result = validateStory(
			doc({ type: 'paragraph', attrs: {}, content: [{ type: 'text', text: 'a', marks: [] }] })
		);
		expect(result).toEqual({ ok: true, doc: doc(paragraph(text('a'))) });
	});

	it('accepts lists nested exactly to the limit', () => {
		expect(validateStory(doc(nestedList(STORY_MAX_LIST_DEPTH))).ok).toBe(true);
	});

	it('accepts right-to-left and mixed-script text as written', () => {
		const words = 'قصة الخياطة — داستان گلدوزی — Stickerei 🧵';
		const result = validateStory(doc(paragraph(text(words))));
		expect(result.ok && (result.doc.content[0] as StoryDoc['content'][0]).content).toEqual([
			text(words)
		]);
	});

	it('accepts a story of exactly the maximum length, counting emoji as one character', () => {
		expect(validateStory(doc(paragraph(text('🧵'.repeat(STORY_MAX_CHARACTERS))))).ok).toBe(true);
	});
});

describe('validateStory rejects with a code and the path of the offending part', () => {
	it.each([
		['null', null, []],
		['a string', 'doc', []],
		['a number', 42, []],
		['an array', [doc()], []],
		['the wrong root type', { type: 'paragraph' }, ['type']],
		['a root without type', { content: [] }, ['type']],
		['text directly in the document', doc(text('a')), ['content', 0, 'type']],
		['a list item outside a list', doc(item(paragraph())), ['content', 0, 'type']],
		['a list without items', doc(bullets()), ['content', 0, 'content']],
		[
			'a list item starting with a list',
			doc(bullets(item(bullets(item(paragraph()))))),
			['content', 0, 'content', 0, 'content']
		],
		[
			'a paragraph inside a paragraph',
			doc(paragraph(paragraph())),
			['content', 0, 'content', 0, 'type']
		],
		[
			'content that is not an array',
			doc({ type: 'paragraph', content: 'a' }),
			['content', 0, 'content']
		],
		[
			'text that is not a string',
			doc(paragraph({ type: 'text', text: 1 })),
			['content', 0, 'content', 0, 'text']
		],
		[
			'a hard break with text',
			doc(paragraph({ type: 'hardBreak', text: 'x' })),
			['content', 0, 'content', 0, 'text']
		],
		[
			'content in a text node',
			doc(paragraph({ type: 'text', text: 'a', content: [] })),
			['content', 0, 'content', 0, 'content']
		],
		['a NUL character', doc(paragraph(text('a\u0000b'))), ['content', 0, 'content', 0, 'text']],
		['a lone surrogate', doc(paragraph(text('a\ud800b'))), ['content', 0, 'content', 0, 'text']],
		[
			'a duplicated mark',
			doc(paragraph(text('a', [{ type: 'bold' }, { type: 'bold' }]))),
			['content', 0, 'content', 0, 'marks', 1, 'type']
		],
		[
			'marks that are not an array',
			doc(paragraph({ type: 'text', text: 'a', marks: {} })),
			['content', 0, 'content', 0, 'marks']
		],
		[
			'a bold mark with attributes',
			doc(paragraph(text('a', [{ type: 'bold', attrs: { x: 1 } }]))),
			['content', 0, 'content', 0, 'marks', 0, 'attrs', 'x']
		],
		[
			'a link without attrs',
			doc(paragraph(text('a', [{ type: 'link' }]))),
			['content', 0, 'content', 0, 'marks', 0, 'attrs']
		],
		[
			'list start 0',
			doc({ type: 'orderedList', attrs: { start: 0 }, content: [item(paragraph())] }),
			['content', 0, 'attrs', 'start']
		],
		[
			'list start -3',
			doc({ type: 'orderedList', attrs: { start: -3 }, content: [item(paragraph())] }),
			['content', 0, 'attrs', 'start']
		],
		[
			'list start 1.5',
			doc({ type: 'orderedList', attrs: { start: 1.5 }, content: [item(paragraph())] }),
			['content', 0, 'attrs', 'start']
		],
		[
			'list start as a string',
			doc({ type: 'orderedList', attrs: { start: '2' }, content: [item(paragraph())] }),
			['content', 0, 'attrs', 'start']
		],
		[
			'list start null',
			doc({ type: 'orderedList', attrs: { start: null }, content: [item(paragraph())] }),
			['content', 0, 'attrs', 'start']
		],
		[
			'an ordered list type',
			doc({ type: 'orderedList', attrs: { start: 1, type: 'a' }, content: [item(paragraph())] }),
			['content', 0, 'attrs', 'type']
		],
		[
			'attributes on a bullet list',
			doc({ type: 'bulletList', attrs: { start: 2 }, content: [item(paragraph())] }),
			['content', 0, 'attrs', 'start']
		],
		['a symbol key', doc({ type: 'paragraph', [Symbol('x')]: 1 }), ['content', 0, 'Symbol(x)']],
		[
			'a class instance',
			doc(Object.assign(new (class Paragraph {})(), { type: 'paragraph' })),
			['content', 0]
		],
		[
			'an object with a swapped prototype',
			doc(Object.setPrototypeOf({ type: 'paragraph' }, { evil: true })),
			['content', 0]
		]
	])('%s', (_name, input, path) => {
		expect(validateStory(input)).toEqual({ ok: false, code: 'story_invalid', path });
	});

	it('rejects lists nested one level beyond the limit at the offending list', () => {
		const result = validateStory(doc(nestedList(STORY_MAX_LIST_DEPTH + 1)));
		expect(result).toMatchObject({ ok: false, code: 'story_invalid' });
		const path = result.ok ? [] : result.path;
		expect(path).toEqual([
			'content',
			0,
			...Array(STORY_MAX_LIST_DEPTH).fill(['content', 0, 'content', 1]).flat()
		]);
	});

	it('rejects 10,000 nested lists without overflowing the stack', () => {
		const result = validateStory(doc(nestedList(10_000)));
		expect(result).toMatchObject({ ok: false, code: 'story_invalid' });
	});

	it('rejects text beyond the limit as too long', () => {
		const result = validateStory(doc(paragraph(text('a'.repeat(STORY_MAX_CHARACTERS + 1)))));
		expect(result).toEqual({ ok: false, code: 'story_too_long', path: [] });
	});

	it('counts line breaks between paragraphs towards the limit', () => {
		const half = STORY_MAX_CHARACTERS / 2;
		const result = validateStory(
			doc(paragraph(text('a'.repeat(half))), paragraph(text('b'.repeat(half))))
		);
		expect(result).toMatchObject({ ok: false, code: 'story_too_long' });
	});

	it('stops early on a huge text node', () => {
		const result = validateStory(doc(paragraph(text('a'.repeat(5_000_000)))));
		expect(result).toEqual({
			ok: false,
			code: 'story_too_long',
			path: ['content', 0, 'content', 0]
		});
	});

	it('rejects too many nodes as too long', () => {
		const many = Array.from({ length: STORY_MAX_NODES }, () => ({ type: 'hardBreak' }));
		const result = validateStory(doc({ type: 'paragraph', content: many }));
		expect(result).toMatchObject({ ok: false, code: 'story_too_long' });
	});

	it('rejects a too-long content array before walking it', () => {
		const result = validateStory(doc(...Array(STORY_MAX_NODES + 1).fill({ type: 'paragraph' })));
		expect(result).toEqual({ ok: false, code: 'story_too_long', path: ['content'] });
	});
});

describe('parseStoryJson', () => {
	it('parses and validates', () => {
		expect(parseStoryJson(JSON.stringify(doc(paragraph(text('a')))))).toEqual({
			ok: true,
			doc: doc(paragraph(text('a')))
		});
	});

	it('rejects malformed JSON', () => {
		expect(parseStoryJson('{"type":"doc"')).toEqual({ ok: false, code: 'story_invalid', path: [] });
	});

	it('rejects oversized input before parsing it', () => {
		expect(parseStoryJson(' '.repeat(STORY_MAX_JSON_LENGTH + 1))).toEqual({
			ok: false,
			code: 'story_too_long',
			path: []
		});
	});

	it.each([
		[
			'__proto__ on the root',
			'{"type":"doc","content":[],"__proto__":{"polluted":true}}',
			['__proto__']
		],
		[
			'constructor on a node',
			'{"type":"doc","content":[{"type":"paragraph","constructor":{"prototype":{"polluted":true}}}]}',
			['content', 0, 'constructor']
		],
		[
			'__proto__ in link attrs',
			'{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a","marks":[{"type":"link","attrs":{"href":"https://a.example","__proto__":{"x":1}}}]}]}]}',
			['content', 0, 'content', 0, 'marks', 0, 'attrs', '__proto__']
		],
		[
			'prototype on a mark',
			'{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a","marks":[{"type":"bold","prototype":{}}]}]}]}',
			['content', 0, 'content', 0, 'marks', 0, 'prototype']
		]
	])('rejects prototype-pollution keys: %s', (_name, raw, path) => {
		expect(parseStoryJson(raw)).toEqual({ ok: false, code: 'story_invalid', path });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});
