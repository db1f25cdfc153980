/**
 * The migration runner's extension shim reads statements with a lexer: `create extension` in a
 * comment, a string or a function body is not a statement, and a skipped statement is commented
 * out up to its own `;`, never further.
 */
import { describe, expect, it } from 'vitest';
import { shimUnavailableExtensions } from './index.ts';
import { extensionOf, splitStatements } from './sql-statements.ts';

const AVAILABLE = new Set(['pgcrypto', 'uuid-ossp']);

function shim(sql: string): { sql: string; skipped: string[] } {
	const skipped: string[] = [];
	return { sql: shimUnavailableExtensions(sql, AVAILABLE, (name) => skipped.push(name)), skipped };
}

describe('splitStatements', () => {
	it('splits at top-level semicolons only', () => {
		const script = [
			"select 'a;b', E'it\\'s;', \"odd;name\";",
			'-- a comment; with a semicolon',
			'/* outer /* nested; */ still comment; */ select 2;',
			'create function f() returns int language sql as $body$ select 1; $body$;',
			'do $$ begin perform 1; end $$;',
			'select 3'
		].join('\n');
		const statements = splitStatements(script);
		expect(statements.map((s) => s.words.slice(0, 3))).toEqual([
			['select', 'odd;name'],
			['select'],
			['create', 'function', 'f'],
			['do'],
			['select']
		]);
		expect(statements.map((s) => s.text).join('')).toBe(script);
	});

	it('keeps quoted identifiers as written and lower-cases the rest', () => {
		const [statement] = splitStatements(
			'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;'
		);
		expect(statement.words).toEqual([
			'create',
			'extension',
			'if',
			'not',
			'exists',
			'uuid-ossp',
			'with',
			'schema',
			'extensions'
		]);
		expect(extensionOf(statement.words)).toBe('uuid-ossp');
	});

	it('names the extension of create, alter and comment on extension, and nothing else', () => {
		const names = splitStatements(
			'create extension pg_cron; alter extension pg_net update; comment on extension pgsodium is $$x$$; create table extension (id int); drop extension pg_net;'
		).map((s) => extensionOf(s.words));
		expect(names).toEqual(['pg_cron', 'pg_net', 'pgsodium', undefined, undefined]);
	});
});

describe('shimUnavailableExtensions', () => {
	it('leaves a create extension in a line comment alone and runs what follows', () => {
		const sql = '-- we used to create extension pg_net here, see #12\ncreate table t (id int);\n';
		expect(shim(sql)).toEqual({ sql, skipped: [] });
	});

	it('leaves create extension inside block comments, strings and function bodies alone', () => {
		const sql = [
			'/* create extension pg_net; */',
			"comment on table t is 'run create extension pg_cron; first';",
			"create function g() returns void language plpgsql as $$ begin execute 'create extension pgsodium'; end $$;"
		].join('\n');
		expect(shim(sql)).toEqual({ sql, skipped: [] });
	});

	it('comments out exactly the unavailable statement and keeps the rest', () => {
		const sql = [
			'create extension if not exists pgcrypto with schema extensions;',
			'create extension if not exists pg_net with schema extensions; create table a (id int);',
			"create extension pg_cron\n  with schema pg_catalog; select 'after';"
		].join('\n');
		const result = shim(sql);
		expect(result.skipped).toEqual(['pg_net', 'pg_cron']);
		const live = splitStatements(result.sql).filter((s) => s.words.length > 0);
		expect(live.map((s) => s.words.slice(0, 3))).toEqual([
			['create', 'extension', 'if'],
			['create', 'table', 'a'],
			['select']
		]);
		expect(extensionOf(live[0].words)).toBe('pgcrypto');
		expect(result.sql).toContain('-- [supabase-local] skipped:');
	});
});
