/**
 * A Postgres SQL lexer just deep enough to split a script into its top-level statements and read
 * each statement's leading words: `--` and nested `/* *\/` comments, '…' and E'…' strings,
 * "…" identifiers and $tag$…$tag$ bodies are skipped as Postgres's own scanner (scan.l) skips
 * them, so a `;` or a keyword inside any of them is never mistaken for SQL.
 */

export interface Statement {
	/** Offsets into the script: `text` is `script.slice(start, end)`, the `;` included if any. */
	start: number;
	end: number;
	text: string;
	/** The statement's words and identifiers outside comments and strings, lower-cased unless quoted. */
	words: string[];
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

export function splitStatements(script: string): Statement[] {
	const statements: Statement[] = [];
	let start = 0;
	let words: string[] = [];
	let i = 0;
	const close = (end: number) => {
		const text = script.slice(start, end);
		if (words.length > 0 || text.trim() !== '') statements.push({ start, end, text, words });
		start = end;
		words = [];
	};
	while (i < script.length) {
		const c = script[i];
		const next = script[i + 1];
		if (c === '-' && next === '-') {
			const eol = script.indexOf('\n', i);
			i = eol === -1 ? script.length : eol + 1;
		} else if (c === '/' && next === '*') {
			i = skipBlockComment(script, i);
		} else if (c === "'") {
			i = skipQuoted(script, i, "'", false);
		} else if (c === '"') {
			const end = skipQuoted(script, i, '"', false);
			words.push(script.slice(i + 1, end - 1).replaceAll('""', '"'));
			i = end;
		} else if (c === '$' && DOLLAR_TAG.test(script.slice(i, i + 64))) {
			const tag = (DOLLAR_TAG.exec(script.slice(i)) as RegExpExecArray)[0];
			const end = script.indexOf(tag, i + tag.length);
			i = end === -1 ? script.length : end + tag.length;
		} else if (c === ';') {
			i += 1;
			close(i);
		} else if (IDENT_START.test(c)) {
			let j = i + 1;
			while (j < script.length && IDENT_PART.test(script[j])) j += 1;
			if (j === i + 1 && (c === 'e' || c === 'E') && script[j] === "'") {
				i = skipQuoted(script, j, "'", true);
			} else {
				words.push(script.slice(i, j).toLowerCase());
				i = j;
			}
		} else {
			i += 1;
		}
	}
	close(script.length);
	return statements;
}

/** Block comments nest in Postgres: `/* a /* b *\/ c *\/` is one comment. */
function skipBlockComment(script: string, from: number): number {
	let depth = 0;
	let i = from;
	while (i < script.length) {
		if (script[i] === '/' && script[i + 1] === '*') {
			depth += 1;
			i += 2;
		} else if (script[i] === '*' && script[i + 1] === '/') {
			depth -= 1;
			i += 2;
			if (depth === 0) return i;
		} else {
			i += 1;
		}
	}
	return script.length;
}

/** A quote doubled stays inside; with E'…' a backslash escapes the next character too. */
function skipQuoted(
	script: string,
	from: number,
	quote: string,
	backslashEscapes: boolean
): number {
	let i = from + 1;
	while (i < script.length) {
		const c = script[i];
		if (backslashEscapes && c === '\\') {
			i += 2;
		} else if (c === quote) {
			if (script[i + 1] === quote) i += 2;
			else return i + 1;
		} else {
			i += 1;
		}
	}
	return script.length;
}

/**
 * The extension a `create extension`, `alter extension` or `comment on extension` statement names,
 * or undefined for any other statement.
 */
export function extensionOf(words: string[]): string | undefined {
	let rest: string[];
	if (words[0] === 'create' && words[1] === 'extension') rest = words.slice(2);
	else if (words[0] === 'alter' && words[1] === 'extension') rest = words.slice(2);
	else if (words[0] === 'comment' && words[1] === 'on' && words[2] === 'extension')
		rest = words.slice(3);
	else return undefined;
	if (rest[0] === 'if' && rest[1] === 'not' && rest[2] === 'exists') rest = rest.slice(3);
	return rest[0];
}
