/*
 * The tiptap setup behind StoryEditor. Browser only: StoryEditor imports this module dynamically
 * after mounting, so tiptap never runs during SSR and stays out of the initial bundle.
 */
import { Editor, Extension, type JSONContent } from '@tiptap/core';
import { Placeholder } from '@tiptap/extension-placeholder';
import type { Node as ProseMirrorNode } from '@tiptap/pm/model';
import { Plugin, PluginKey, type Transaction } from '@tiptap/pm/state';
import { StarterKit } from '@tiptap/starter-kit';
import { isAllowedHref, normalizeHrefInput } from '#lib/richtext/link.ts';
import {
	STORY_LINK_REL,
	STORY_MAX_LIST_DEPTH,
	STORY_MAX_LIST_START,
	type StoryDoc
} from '#lib/richtext/schema.ts';

export interface StoryEditorSetup {
	element: HTMLElement;
	content: StoryDoc;
	attributes: Record<string, string>;
	placeholder?: string;
	onUpdate: (doc: StoryDoc) => void;
	onTransaction: () => void;
	onLinkShortcut: () => void;
}

/** Creates the editor limited to the story schema: paragraphs, hard breaks, lists, bold, italic, links. */
export function createStoryEditor(setup: StoryEditorSetup): Editor {
	return new Editor({
		element: setup.element,
		content: setup.content,
		extensions: [
			StarterKit.configure({
				blockquote: false,
				code: false,
				codeBlock: false,
				heading: false,
				horizontalRule: false,
				strike: false,
				underline: false,
				link: {
					openOnClick: false,
					autolink: true,
					linkOnPaste: true,
					defaultProtocol: 'https',
					HTMLAttributes: { rel: STORY_LINK_REL, target: null, class: null },
					// Bare addresses pass here because autolink checks the typed text ("www.example.org")
					// and then stores linkify's href with the scheme added; anything with a scheme is
					// checked strictly. What ends up stored is checked again by StorySafetyNet below.
					isAllowedUri: (url) => normalizeHrefInput(url) !== null
				}
			}),
			StorySafetyNet,
			Extension.create({
				name: 'storyLinkShortcut',
				addKeyboardShortcuts: () => ({
					'Mod-k': () => {
						setup.onLinkShortcut();
						return true;
					}
				})
			}),
			...(setup.placeholder ? [Placeholder.configure({ placeholder: setup.placeholder })] : [])
		],
		editorProps: { attributes: setup.attributes },
		onUpdate: ({ editor }) => setup.onUpdate(toStoryJson(editor.getJSON())),
		onTransaction: () => setup.onTransaction()
	});
}

/** Attributes that leave the editor; tiptap's own (link target, rel, class, title, list type) stay inside. */
const STORED_ATTRIBUTES: Record<string, string[]> = { link: ['href'], orderedList: ['start'] };

/**
 * Tiptap JSON reduced to the story schema's attributes. Types and content are left as they are:
 * the editor's schema already holds only story nodes and marks.
 */
export function toStoryJson(json: JSONContent): StoryDoc {
	return reduce(json) as unknown as StoryDoc;
}

function reduce(node: JSONContent): JSONContent {
	const result: JSONContent = { type: node.type };
	const attrs = keepAttributes(node.type, node.attrs);
	if (attrs) result.attrs = attrs;
	if (node.text !== undefined) result.text = node.text;
	if (node.marks?.length) {
		result.marks = node.marks.map((mark) => {
			const markAttrs = keepAttributes(mark.type, mark.attrs);
			return markAttrs ? { type: mark.type, attrs: markAttrs } : { type: mark.type };
		});
	}
	if (node.content?.length) result.content = node.content.map(reduce);
	return result;
}

function keepAttributes(
	type: string | undefined,
	attrs: Record<string, unknown> | undefined
): Record<string, unknown> | undefined {
	const keep = type ? STORED_ATTRIBUTES[type] : undefined;
	if (!keep || !attrs) return undefined;
	return Object.fromEntries(keep.filter((key) => key in attrs).map((key) => [key, attrs[key]]));
}

const safetyNetKey = new PluginKey('storySafetyNet');

/**
 * Keeps the editor's document within what the server accepts, whatever the input path (typing,
 * paste, drop, input rules, commands): links with a disallowed target lose their link mark,
 * ordered lists get a valid start, and changes that nest lists too deeply are refused.
 */
const StorySafetyNet = Extension.create({
	name: 'storySafetyNet',
	addProseMirrorPlugins() {
		return [
			new Plugin({
				key: safetyNetKey,
				filterTransaction: (tr, state) => {
					if (!tr.docChanged) return true;
					const depth = listDepth(tr.doc);
					return depth <= STORY_MAX_LIST_DEPTH || depth <= listDepth(state.doc);
				},
				appendTransaction: (transactions, _old, state) => {
					if (!transactions.some((tr) => tr.docChanged)) return null;
					const tr = state.tr;
					state.doc.descendants((node, pos) => repair(tr, node, pos));
					return tr.docChanged ? tr : null;
				}
			})
		];
	}
});

function repair(tr: Transaction, node: ProseMirrorNode, pos: number): void {
	if (node.type.name === 'orderedList') {
		const start: unknown = node.attrs.start;
		const valid = Number.isInteger(start) && (start as number) >= 1;
		if (!valid || (start as number) > STORY_MAX_LIST_START || node.attrs.type !== null) {
			const fixed = valid ? Math.min(start as number, STORY_MAX_LIST_START) : 1;
			tr.setNodeMarkup(pos, undefined, { ...node.attrs, start: fixed, type: null });
		}
	}
	if (node.isText) {
		for (const mark of node.marks) {
			if (mark.type.name === 'link' && !isAllowedHref(mark.attrs.href)) {
				tr.removeMark(pos, pos + node.nodeSize, mark);
			}
		}
	}
}

/** How many lists deep the deepest list sits (1 for a top-level list). */
function listDepth(node: ProseMirrorNode): number {
	let deepest = 0;
	node.forEach((child) => {
		const isList = child.type.name === 'bulletList' || child.type.name === 'orderedList';
		deepest = Math.max(deepest, (isList ? 1 : 0) + listDepth(child));
	});
	return deepest;
}
