/** Shared setup of the REST suites: the fixture project, clients and tokens of its seeded users. */
import { resolve } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { TestStack } from '../../helpers/stack.ts';

export const REST_PROJECT = resolve('tests/fixtures/rest-project');
/** Overloads, computed fields and computed relationships (rest-rpc-overloads, rest-computed). */
export const FUNCTIONS_PROJECT = resolve('tests/fixtures/rest-functions-project');
/** Fixture of the embedding, counting and bulk-insert suites (one-to-one, self-reference, …). */
export const REST_EMBED_PROJECT = resolve('tests/fixtures/rest-embed-project');

export const ALICE = '11111111-1111-4111-8111-111111111111';
export const BOB = '22222222-2222-4222-8222-222222222222';

/** A supabase-js client; `token` (a user's access token) replaces the key as bearer. */
export function restClient(
	stack: TestStack,
	options: { key?: string; token?: string; schema?: string } = {}
): SupabaseClient {
	return createClient(stack.url, options.key ?? stack.keys.publishable, {
		auth: { persistSession: false, autoRefreshToken: false },
		// The schema is chosen at run time; the client's type only knows 'public'.
		db: { schema: (options.schema ?? 'public') as 'public' },
		global: options.token ? { headers: { Authorization: `Bearer ${options.token}` } } : {}
	});
}

/** An access token for a seeded user, signed by the stack like the auth service's own tokens. */
export function userToken(
	stack: TestStack,
	sub: string,
	extra: Record<string, unknown> = {}
): Promise<string> {
	return stack.stack.keys.signAccessToken(
		{ sub, role: 'authenticated', aud: 'authenticated', ...extra },
		3600
	);
}

/** Plain fetch against /rest/v1 for what supabase-js cannot express (headers, raw bodies). */
export function rest(
	stack: TestStack,
	path: string,
	init: RequestInit & { headers?: Record<string, string> } = {}
): Promise<Response> {
	return fetch(`${stack.url}/rest/v1${path}`, {
		...init,
		headers: { apikey: stack.keys.publishable, ...init.headers }
	});
}
