import { isAllowedHref } from './link';
import { storyCharacterCount } from './plain-text';
import {
	STORY_MAX_CHARACTERS,
	STORY_MAX_JSON_LENGTH,
	STORY_MAX_LIST_DEPTH,
	STORY_MAX_LIST_START,
	STORY_MAX_NODES,
	type StoryBlock,
	type StoryDoc,
	type StoryErrorCode,
	type StoryInline,
	type StoryListItem,
	type StoryMark,
	type StoryParagraph,
	type StoryPath,
	type StoryValidation
} from './schema';

/** Thrown inside the walk and turned into a result at the top; never escapes this module. */
class Rejection {
	constructor(
		readonly code: StoryErrorCode,
		readonly path: StoryPath
	) {}
}

type Json = Record<string, unknown>;

// Lone surrogates cannot be stored in jsonb, and U+0000 cannot be stored in Postgres text at all.
const UNSTORABLE_TEXT =
	// eslint-disable-next-line no-control-regex -- U+0000 is exactly what it looks for
	/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks untrusted story JSON (from a form, the API or the database) against the story schema and
 * returns a fresh copy holding only allowed nodes, marks and attributes. Nothing unknown is dropped
 * silently: the first problem is reported with its code and path. The only normalization is
 * removing empty text nodes, giving an empty document one empty paragraph, and filling in an
 * ordered list's default `start` of 1, all of which ProseMirror does itself on load.
 */
export function validateStory(json: unknown): StoryValidation {
	try {
		const doc = new Walker().doc(json);
		if (storyCharacterCount(doc) > STORY_MAX_CHARACTERS) {
			return { ok: false, code: 'story_too_long', path: [] };
		}
		return { ok: true, doc };
	} catch (error) {
		if (error instanceof Rejection) return { ok: false, code: error.code, path: error.path };
		throw error;
	}
}

/** Parses a serialized story (a form field or request body) and validates it. */
export function parseStoryJson(raw: string): StoryValidation {
	if (raw.length > STORY_MAX_JSON_LENGTH) return { ok: false, code: 'story_too_long', path: [] };
	let json: unknown;
	try {
		json = JSON.parse(raw);
	} catch {
		return { ok: false, code: 'story_invalid', path: [] };
	}
	return validateStory(json);
}

class Walker {
	private nodes = 0;
	private textUnits = 0;

	doc(json: unknown): StoryDoc {
		const node = this.node(json, [], ['doc'], ['content']);
		const content = this.children(node, [], (child, path) => this.block(child, path, 0));
		return { type: 'doc', content: content.length > 0 ? content : [{ type: 'paragraph' }] };
	}

	private block(json: unknown, path: StoryPath, listDepth: number): StoryBlock {
		const types = ['paragraph', 'bulletList', 'orderedList'];
		const node = this.node(json, path, types, ['content', 'attrs']);
		if (node.type === 'paragraph') return this.paragraph(node, path);
		if (listDepth >= STORY_MAX_LIST_DEPTH) throw new Rejection('story_invalid', path);
		const items = this.children(node, path, (child, childPath) =>
			this.listItem(child, childPath, listDepth + 1)
		);
		if (items.length === 0) throw new Rejection('story_invalid', [...path, 'content']);
		if (node.type === 'bulletList') {
			this.noAttrs(node, path);
			return { type: 'bulletList', content: items };
		}
		return { type: 'orderedList', attrs: { start: this.listStart(node, path) }, content: items };
	}

	private paragraph(node: Json, path: StoryPath): StoryParagraph {
		this.noAttrs(node, path);
		const content = this.children(node, path, (child, childPath) => this.inline(child, childPath));
		const nonEmpty = content.filter((inline): inline is StoryInline => inline !== null);
		return nonEmpty.length > 0 ? { type: 'paragraph', content: nonEmpty } : { type: 'paragraph' };
	}

	private listItem(json: unknown, path: StoryPath, listDepth: number): StoryListItem {
		const node = this.node(json, path, ['listItem'], ['content', 'attrs']);
		this.noAttrs(node, path);
		const content = this.children(node, path, (child, childPath) =>
			this.block(child, childPath, listDepth)
		);
		if (content[0]?.type !== 'paragraph')
			throw new Rejection('story_invalid', [...path, 'content']);
		return { type: 'listItem', content };
	}

	private inline(json: unknown, path: StoryPath): StoryInline | null {
		const node = this.node(json, path, ['text', 'hardBreak'], ['text', 'marks', 'attrs']);
		this.noAttrs(node, path);
		const marks = this.marks(node, path);
		if (node.type === 'hardBreak') {
			if (Object.hasOwn(node, 'text')) throw new Rejection('story_invalid', [...path, 'text']);
			return marks ? { type: 'hardBreak', marks } : { type: 'hardBreak' };
		}
		const text = node.text;
		if (typeof text !== 'string' || UNSTORABLE_TEXT.test(text)) {
			throw new Rejection('story_invalid', [...path, 'text']);
		}
		this.textUnits += text.length;
		// Code points never outnumber UTF-16 units, so this stops huge texts before counting exactly.
		if (this.textUnits > STORY_MAX_CHARACTERS * 2) throw new Rejection('story_too_long', path);
		if (text === '') return null;
		return marks ? { type: 'text', text, marks } : { type: 'text', text };
	}

	private marks(node: Json, path: StoryPath): StoryMark[] | undefined {
		if (!Object.hasOwn(node, 'marks')) return undefined;
		const marks = node.marks;
		if (!Array.isArray(marks)) throw new Rejection('story_invalid', [...path, 'marks']);
		const seen = new Set<string>();
		const result = marks.map((json: unknown, index): StoryMark => {
			const markPath = [...path, 'marks', index];
			const mark = this.object(json, markPath, ['type', 'attrs'], ['type']);
			const type = mark.type;
			if ((type !== 'bold' && type !== 'italic' && type !== 'link') || seen.has(type)) {
				throw new Rejection('story_invalid', [...markPath, 'type']);
			}
			seen.add(type);
			if (type !== 'link') {
				this.noAttrs(mark, markPath);
				return { type };
			}
			const attrs = this.object(mark.attrs, [...markPath, 'attrs'], ['href'], ['href']);
			if (!isAllowedHref(attrs.href)) {
				throw new Rejection('story_bad_link', [...markPath, 'attrs', 'href']);
			}
			return { type: 'link', attrs: { href: attrs.href } };
		});
		return result.length > 0 ? result : undefined;
	}

	private listStart(node: Json, path: StoryPath): number {
		if (!Object.hasOwn(node, 'attrs')) return 1;
		const attrs = this.object(node.attrs, [...path, 'attrs'], ['start'], []);
		if (!Object.hasOwn(attrs, 'start')) return 1;
		const start = attrs.start;
		if (typeof start !== 'number' || !Number.isInteger(start)) {
			throw new Rejection('story_invalid', [...path, 'attrs', 'start']);
		}
		if (start < 1 || start > STORY_MAX_LIST_START) {
			throw new Rejection('story_invalid', [...path, 'attrs', 'start']);
		}
		return start;
	}

	/** A node object of one of `types` with no keys beyond `type` and `keys`, counted. */
	private node(json: unknown, path: StoryPath, types: string[], keys: string[]): Json {
		const plain = this.plain(json, path);
		// The type is checked first so an unknown node is reported as such, not by its keys.
		if (
			!Object.hasOwn(plain, 'type') ||
			typeof plain.type !== 'string' ||
			!types.includes(plain.type)
		) {
			throw new Rejection('story_invalid', [...path, 'type']);
		}
		const node = this.object(plain, path, ['type', ...keys], ['type']);
		this.nodes += 1;
		if (this.nodes > STORY_MAX_NODES) throw new Rejection('story_too_long', path);
		return node;
	}

	private children<T>(
		node: Json,
		path: StoryPath,
		visit: (child: unknown, path: StoryPath) => T
	): T[] {
		if (!Object.hasOwn(node, 'content')) return [];
		const content = node.content;
		if (!Array.isArray(content)) throw new Rejection('story_invalid', [...path, 'content']);
		if (content.length > STORY_MAX_NODES)
			throw new Rejection('story_too_long', [...path, 'content']);
		return content.map((child: unknown, index) => visit(child, [...path, 'content', index]));
	}

	/** `attrs` may appear on attribute-less nodes and marks only as an empty object. */
	private noAttrs(node: Json, path: StoryPath): void {
		if (Object.hasOwn(node, 'attrs')) this.object(node.attrs, [...path, 'attrs'], [], []);
	}

	/**
	 * An object whose own keys are all in `keys`, with every key in `required` present. Keys such
	 * as `__proto__` or `constructor`, which JSON.parse creates as own properties, are unknown keys.
	 */
	private object(json: unknown, path: StoryPath, keys: string[], required: string[]): Json {
		const object = this.plain(json, path);
		for (const key of Reflect.ownKeys(object)) {
			if (typeof key !== 'string' || !keys.includes(key)) {
				throw new Rejection('story_invalid', [...path, String(key)]);
			}
		}
		for (const key of required) {
			if (!Object.hasOwn(object, key)) throw new Rejection('story_invalid', [...path, key]);
		}
		return object;
	}

	/** A plain object from JSON.parse or a literal: no arrays, class instances or swapped prototypes. */
	private plain(json: unknown, path: StoryPath): Json {
		if (typeof json !== 'object' || json === null || Array.isArray(json)) {
			throw new Rejection('story_invalid', path);
		}
		const proto: unknown = Object.getPrototypeOf(json);
		if (proto !== Object.prototype && proto !== null) throw new Rejection('story_invalid', path);
		return json as Json;
	}
}
