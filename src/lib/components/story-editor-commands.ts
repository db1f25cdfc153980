/**
 * What the story editor's toolbar and link field do to a tiptap editor. Only a type is imported
 * from tiptap, so the editor itself still loads lazily in the browser (story-editor-extensions).
 */
import type { Editor } from '@tiptap/core';
import type { StoryEditorLabels } from './StoryEditor.svelte';
import type { StoryCommand } from './StoryEditorToolbar.svelte';

/** The formats whose toolbar buttons show a pressed state. */
export const STORY_FORMATS = ['bold', 'italic', 'bulletList', 'orderedList', 'link'] as const;
export type StoryFormat = (typeof STORY_FORMATS)[number];

type Formats = Record<StoryFormat, boolean>;

/** Nothing pressed: the state before the editor has loaded. */
export function noFormats(): Formats {
	return { bold: false, italic: false, bulletList: false, orderedList: false, link: false };
}

/** Which formats apply at the editor's selection now. */
export function activeFormats(editor: Editor): Formats {
	return Object.fromEntries(
		STORY_FORMATS.map((format) => [format, editor.isActive(format)])
	) as Formats;
}

/** The toolbar's buttons in order, labelled, with the pressed state of those that have one. */
export function toolbarButtons(labels: StoryEditorLabels, active: Formats) {
	return [
		...STORY_FORMATS.map((format) => ({
			command: format,
			label: labels[format],
			pressed: active[format]
		})),
		{ command: 'unlink' as const, label: labels.unlink }
	];
}

/** Runs a toolbar command; `link` only opens the link field, so it is the caller's to handle. */
export function runStoryCommand(editor: Editor, command: Exclude<StoryCommand, 'link'>): void {
	const chain = editor.chain().focus();
	if (command === 'bold') chain.toggleBold().run();
	else if (command === 'italic') chain.toggleItalic().run();
	else if (command === 'bulletList') chain.toggleBulletList().run();
	else if (command === 'orderedList') chain.toggleOrderedList().run();
	else chain.extendMarkRange('link').unsetLink().run();
}

/** The link under the selection, for the link field to start from ('' where there is none). */
export function currentLink(editor: Editor): string {
	return (editor.getAttributes('link').href as string | undefined) ?? '';
}

/**
 * Links the selection (or the whole link the cursor is in) to `href`; with nothing selected and
 * no link to extend, inserts the address itself as linked text.
 */
export function applyStoryLink(editor: Editor, href: string): void {
	const chain = editor.chain().focus();
	if (editor.state.selection.empty && !editor.isActive('link')) {
		chain.insertContent({ type: 'text', text: href, marks: [{ type: 'link', attrs: { href } }] });
	} else {
		chain.extendMarkRange('link').setLink({ href });
	}
	chain.run();
}
