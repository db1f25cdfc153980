/**
 * The story schema shared by the browser editor and the server: which tiptap/ProseMirror nodes,
 * marks and attributes a story may contain, and its size limits. Browser-safe (no DOM, no tiptap).
 */

/** Every node type a story may contain. */
export const STORY_NODE_TYPES = [
	'doc',
	'paragraph',
	'text',
	'hardBreak',
	'bulletList',
	'orderedList',
	'listItem'
] as const;

/** Every mark type a story may contain. */
export const STORY_MARK_TYPES = ['bold', 'italic', 'link'] as const;

/** URL schemes a link may use, lower case, without the colon. */
export const STORY_LINK_PROTOCOLS = ['http', 'https', 'mailto'] as const;

/** Set by the renderer on every link; never taken from the stored JSON. */
export const STORY_LINK_REL = 'noopener noreferrer nofollow ugc';

/** Characters of plain text (Unicode code points, each line break counted as one). */
export const STORY_MAX_CHARACTERS = 5000;

/**
 * Nodes in the whole tree. Well above what 5,000 characters need even with a mark change on every
 * character, so in practice the character limit is the one writers meet.
 */
export const STORY_MAX_NODES = 15_000;

/** How deep lists may nest: a list inside this many lists is rejected. */
export const STORY_MAX_LIST_DEPTH = 5;

/** Longest accepted link target. */
export const STORY_MAX_HREF_LENGTH = 2000;

/** Highest number an ordered list may start at. */
export const STORY_MAX_LIST_START = 100_000;

/** Longest serialized JSON accepted from a form field before parsing. */
export const STORY_MAX_JSON_LENGTH = 256 * 1024;

/** Error codes; components turn them into localized messages. */
export type StoryErrorCode = 'story_invalid' | 'story_too_long' | 'story_bad_link';

export type StoryMarkType = (typeof STORY_MARK_TYPES)[number];

export type StoryMark =
	{ type: 'bold' } | { type: 'italic' } | { type: 'link'; attrs: { href: string } };

export interface StoryText {
	type: 'text';
	text: string;
	marks?: StoryMark[];
}

export interface StoryHardBreak {
	type: 'hardBreak';
	marks?: StoryMark[];
}

export type StoryInline = StoryText | StoryHardBreak;

export interface StoryParagraph {
	type: 'paragraph';
	content?: StoryInline[];
}

export interface StoryListItem {
	type: 'listItem';
	/** Starts with a paragraph, as tiptap's `paragraph block*` content expression requires. */
	content: StoryBlock[];
}

export interface StoryBulletList {
	type: 'bulletList';
	content: StoryListItem[];
}

export interface StoryOrderedList {
	type: 'orderedList';
	attrs: { start: number };
	content: StoryListItem[];
}

export type StoryBlock = StoryParagraph | StoryBulletList | StoryOrderedList;

/** A validated story: the JSON tiptap's `editor.getJSON()` produces, restricted to this schema. */
export interface StoryDoc {
	type: 'doc';
	content: StoryBlock[];
}

/** Where in the submitted JSON a problem was found, e.g. `['content', 2, 'marks', 0, 'attrs', 'href']`. */
export type StoryPath = (string | number)[];

export type StoryValidation =
	{ ok: true; doc: StoryDoc } | { ok: false; code: StoryErrorCode; path: StoryPath };

/** The document an empty editor holds. */
export function emptyStory(): StoryDoc {
	return { type: 'doc', content: [{ type: 'paragraph' }] };
}
