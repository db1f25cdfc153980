import type { StoryBlock, StoryDoc, StoryParagraph } from './schema';

/**
 * The story as plain text, for full-text search and character counting: every paragraph (also
 * inside list items) on its own line, hard breaks as line breaks, no list markers.
 */
export function storyPlainText(doc: StoryDoc): string {
	const lines: string[] = [];
	collectLines(doc.content, lines);
	return lines.join('\n');
}

/**
 * Length of {@link storyPlainText} in Unicode code points, the unit of the character limit.
 * Postgres `char_length` counts the same way; JavaScript's `length` would count emoji twice.
 */
export function storyCharacterCount(doc: StoryDoc): number {
	let count = 0;
	for (const _ of storyPlainText(doc)) count += 1;
	return count;
}

/** Whether the story has no visible text (only empty paragraphs, breaks or whitespace). */
export function isEmptyStory(doc: StoryDoc): boolean {
	return storyPlainText(doc).trim() === '';
}

/**
 * A story from plain text, one paragraph per line: what the editor's no-JavaScript fallback (a
 * textarea) submits. Blank lines are kept as empty paragraphs, as the editor would show them.
 */
export function storyFromPlainText(text: string): StoryDoc {
	const lines = text.replace(/\r\n?/g, '\n').split('\n');
	while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
	return {
		type: 'doc',
		content: lines.map((line): StoryParagraph => {
			const trimmed = line.trimEnd();
			return trimmed === ''
				? { type: 'paragraph' }
				: { type: 'paragraph', content: [{ type: 'text', text: trimmed }] };
		})
	};
}

function collectLines(blocks: StoryBlock[], lines: string[]): void {
	for (const block of blocks) {
		if (block.type === 'paragraph') {
			lines.push(paragraphText(block));
		} else {
			for (const item of block.content) collectLines(item.content, lines);
		}
	}
}

function paragraphText(paragraph: StoryParagraph): string {
	let text = '';
	for (const inline of paragraph.content ?? []) {
		text += inline.type === 'text' ? inline.text : '\n';
	}
	return text;
}
