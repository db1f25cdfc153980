/*
 * Stories are rendered by this hand-written serializer from validated JSON, never by parsing or
 * "cleaning" HTML. No HTML is parsed anywhere on the server, so mutation XSS (mXSS: markup that a
 * sanitizer's parse and the browser's re-parse read differently, e.g. DOMPurify CVE-2024-47875 and
 * CVE-2025-26791) has nothing to act on: every character a writer typed reaches the page as
 * escaped text, and the only tags and attributes in the output are the fixed ones written below.
 * That output is what `{@html}` may receive.
 */
import { isAllowedHref } from '#lib/richtext/link.ts';
import {
	STORY_LINK_REL,
	type StoryBlock,
	type StoryDoc,
	type StoryInline,
	type StoryMark
} from '#lib/richtext/schema.ts';
import { validateStory } from '#lib/richtext/validate.ts';

export interface RenderStoryOptions {
	/** BCP 47 tag of the story's language; omitted from the output when it is not a plain tag. */
	lang?: string;
	/**
	 * Writing direction. Defaults to `auto`, which lets the browser pick it from the first strong
	 * character, so an Arabic story reads right to left even on a German page.
	 */
	dir?: 'ltr' | 'rtl' | 'auto';
}

const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/i;

/**
 * Renders a validated story to HTML for `{@html}`. The wrapper carries a `dir` attribute, which
 * also gives it `unicode-bidi: isolate`, so bidi control characters in the text cannot reorder
 * the page around the story.
 */
export function renderStoryHtml(doc: StoryDoc, options: RenderStoryOptions = {}): string {
	const dir = options.dir === 'ltr' || options.dir === 'rtl' ? options.dir : 'auto';
	const lang =
		options.lang && LANGUAGE_TAG.test(options.lang)
			? ` lang="${escapeAttribute(options.lang)}"`
			: '';
	return `<div class="story"${lang} dir="${dir}">${blocks(doc.content)}</div>`;
}

/**
 * Validates stored or submitted JSON and renders it; null when it fails validation, so a row
 * written around the app (or by an older schema) shows nothing rather than something unsafe.
 */
export function renderStoryJson(json: unknown, options: RenderStoryOptions = {}): string | null {
	const result = validateStory(json);
	return result.ok ? renderStoryHtml(result.doc, options) : null;
}

function blocks(content: StoryBlock[]): string {
	let html = '';
	for (const block of content) {
		switch (block.type) {
			case 'paragraph':
				html += `<p>${inlines(block.content ?? [])}</p>`;
				break;
			case 'bulletList':
				html += `<ul>${listItems(block.content)}</ul>`;
				break;
			case 'orderedList': {
				const start = block.attrs.start;
				const attr = Number.isInteger(start) && start !== 1 ? ` start="${start}"` : '';
				html += `<ol${attr}>${listItems(block.content)}</ol>`;
				break;
			}
		}
	}
	return html;
}

function listItems(items: { content: StoryBlock[] }[]): string {
	return items.map((item) => `<li>${blocks(item.content)}</li>`).join('');
}

/** Order in which marks nest, outermost first, so neighbouring text shares one link element. */
const MARK_RANK: Record<StoryMark['type'], number> = { link: 0, bold: 1, italic: 2 };

/**
 * Inline content with its marks as properly nested elements: like ProseMirror's DOM serializer,
 * marks still active on the next node stay open and only the ones that differ are closed.
 */
function inlines(content: StoryInline[]): string {
	let html = '';
	const open: StoryMark[] = [];
	for (const inline of content) {
		const marks = renderableMarks(inline.marks ?? []);
		let keep = 0;
		while (keep < open.length && keep < marks.length && sameMark(open[keep], marks[keep]))
			keep += 1;
		while (open.length > keep) html += closeTag(open.pop() as StoryMark);
		for (const mark of marks.slice(keep)) {
			html += openTag(mark);
			open.push(mark);
		}
		html += inline.type === 'text' ? escapeText(inline.text) : '<br>';
	}
	while (open.length > 0) html += closeTag(open.pop() as StoryMark);
	return html;
}

/** Known marks in nesting order; a link whose target is not allowed is dropped, keeping its text. */
function renderableMarks(marks: StoryMark[]): StoryMark[] {
	return marks
		.filter((mark) => mark.type !== 'link' || isAllowedHref(mark.attrs.href))
		.filter((mark) => Object.hasOwn(MARK_RANK, mark.type))
		.sort((a, b) => MARK_RANK[a.type] - MARK_RANK[b.type]);
}

function sameMark(a: StoryMark, b: StoryMark): boolean {
	if (a.type === 'link' && b.type === 'link') return a.attrs.href === b.attrs.href;
	return a.type === b.type;
}

function openTag(mark: StoryMark): string {
	switch (mark.type) {
		case 'bold':
			return '<strong>';
		case 'italic':
			return '<em>';
		case 'link':
			return `<a href="${escapeAttribute(mark.attrs.href)}" rel="${STORY_LINK_REL}">`;
	}
}

function closeTag(mark: StoryMark): string {
	switch (mark.type) {
		case 'bold':
			return '</strong>';
		case 'italic':
			return '</em>';
		case 'link':
			return '</a>';
	}
}

function escapeText(text: string): string {
	return text.replace(/[&<>]/g, (char) =>
		char === '&' ? '&amp;' : char === '<' ? '&lt;' : '&gt;'
	);
}

const ATTRIBUTE_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;'
};

function escapeAttribute(value: string): string {
	return value.replace(/[&<>"']/g, (char) => ATTRIBUTE_ESCAPES[char]);
}
