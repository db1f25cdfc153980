/**
 * Overloaded functions as PostgREST 14 resolves them (Plan.hs `findProc`): by argument names
 * alone, then the single unnamed json/jsonb parameter for a POST; PGRST203 lists the candidates in
 * its schema-cache order with `regtype` names; PGRST202 texts, including its fuzzy hint and the
 * functions with unnamed parameters it never caches.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { FUNCTIONS_PROJECT, rest, restClient } from './rest-helpers.ts';

const RENAME_HINT =
	'Try renaming the parameters or the function itself in the database so function overloading can be resolved';

describe.each(testDbKinds({ remote: true }))('REST function overloads (%s)', (kind) => {
	let stack: TestStack;
	let anon: SupabaseClient;

	beforeAll(async () => {
		stack = await startTestStack({ projectDir: FUNCTIONS_PROJECT, kind });
		anon = restClient(stack);
	});
	afterAll(() => stack?.close());

	it('picks the overload whose parameter names fit, over POST and GET', async () => {
		expect((await anon.rpc('pick')).data).toBe('no arguments');
		expect((await anon.rpc('pick', { b: 'x' })).data).toBe('b text');
		expect((await anon.rpc('pick', { a: 1, b: 'x' })).data).toBe('a integer, b text');
		expect((await anon.rpc('pick', { a: 1, c: 2 })).data).toBe('a integer, c integer = 2');
		expect((await anon.rpc('pick', { b: 'x' }, { get: true })).data).toBe('b text');
		expect((await anon.rpc('pick', { a: 1, c: 3 }, { get: true })).data).toBe(
			'a integer, c integer = 3'
		);
	});

	it('refuses with 300 PGRST203 when a default makes two overloads fit the names', async () => {
		for (const get of [false, true]) {
			const { status, error } = await anon.rpc('pick', { a: 1 }, { get });
			expect(status).toBe(300);
			expect(error).toEqual({
				code: 'PGRST203',
				message:
					'Could not choose the best candidate function between: public.pick(a => integer), public.pick(a => integer, c => integer)',
				details: null,
				hint: RENAME_HINT
			});
		}
	});

	it('does not look at the JSON value types: same names with other types are PGRST203', async () => {
		const { status, error } = await anon.rpc('same_args', { arg: 5 });
		expect(status).toBe(300);
		// Fewer parameters first, then by type name; non-built-in types schema-qualified.
		expect(error?.message).toBe(
			'Could not choose the best candidate function between: public.same_args(arg => integer), public.same_args(arg => public.mood), public.same_args(arg => xml), public.same_args(arg => text, num => integer)'
		);
		expect((await anon.rpc('same_args', { arg: 'x', num: 1 })).data).toBe('text');
	});

	it('lists an overload with a comment after the ones without', async () => {
		const { error } = await anon.rpc('commented', { x: 1 }, { get: true });
		expect(error?.message).toBe(
			'Could not choose the best candidate function between: public.commented(x => text), public.commented(x => integer)'
		);
	});

	it('sends the whole body to the single unnamed json parameter only when no names fit', async () => {
		expect((await anon.rpc('payload', { kind: 'a' })).data).toEqual({ named: 'a' });
		expect((await anon.rpc('payload', { other: 1, list: [2] })).data).toEqual({
			other: 1,
			list: [2]
		});
		const { status, error } = await anon.rpc('two_bodies', { x: 1 });
		expect(status).toBe(300);
		expect(error?.message).toBe(
			'Could not choose the best candidate function between: public.two_bodies( => json), public.two_bodies( => jsonb)'
		);
	});

	it('answers PGRST202 with the closest argument list as hint', async () => {
		const { status, error } = await anon.rpc('pick', { a: 1, bb: 2 }, { get: true });
		expect(status).toBe(404);
		expect(error).toEqual({
			code: 'PGRST202',
			message: 'Could not find the function public.pick(a, bb) in the schema cache',
			details:
				'Searched for the function public.pick with parameters a, bb, but no matches were found in the schema cache.',
			hint: 'Perhaps you meant to call the function public.pick(a, b)'
		});
		const posted = await anon.rpc('pick', { zzz: 1 });
		expect(posted.error).toEqual({
			code: 'PGRST202',
			message: 'Could not find the function public.pick(zzz) in the schema cache',
			details:
				'Searched for the function public.pick with parameter zzz or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
			hint: null
		});
	});

	it('treats GET pairs without an operator as arguments, unknown ones included', async () => {
		const response = await rest(stack, '/rpc/pick?b=x&other=y');
		expect(response.status).toBe(404);
		expect((await response.json()).message).toBe(
			'Could not find the function public.pick(b, other) in the schema cache'
		);
	});

	it('hints a function of a similar name, and never one it cannot call', async () => {
		const { error } = await anon.rpc('pik', { a: 1 }, { get: true });
		expect(error).toEqual({
			code: 'PGRST202',
			message: 'Could not find the function public.pik(a) in the schema cache',
			details:
				'Searched for the function public.pik with parameter a, but no matches were found in the schema cache.',
			hint: 'Perhaps you meant to call the function public.pick'
		});
		// Unnamed parameters other than one json/jsonb/text/xml/bytea: PostgREST does not cache it.
		const pair = await anon.rpc('unnamed_pair');
		expect(pair.status).toBe(404);
		expect(pair.error).toEqual({
			code: 'PGRST202',
			message:
				'Could not find the function public.unnamed_pair without parameters in the schema cache',
			details:
				'Searched for the function public.unnamed_pair without parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
			hint: null
		});
		const single = await anon.rpc('unnamed_int', {}, { get: true });
		expect(single.error?.details).toBe(
			'Searched for the function public.unnamed_int without parameters, but no matches were found in the schema cache.'
		);
	});

	it('passes character arguments untruncated, as PostgREST casts them to character varying', async () => {
		expect((await anon.rpc('echo_char', { c: 'abc' })).data).toBe('abc');
		expect((await anon.rpc('echo_char', { c: 'abc' }, { get: true })).data).toBe('abc');
	});
});
