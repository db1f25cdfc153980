/** Shared set-up for the storage suites: a stack on the storage fixture project and its clients. */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { TestStack } from '../../helpers/stack.ts';

export const STORAGE_PROJECT = resolve('tests/fixtures/storage-project');

export interface TestUser {
	id: string;
	token: string;
	client: SupabaseClient;
}

export function client(stack: TestStack, key: string, accessToken?: string): SupabaseClient {
	return createClient(stack.url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {}
	});
}

/** A signed-in user, minted directly until the suite needs the auth service itself. */
export async function makeUser(stack: TestStack): Promise<TestUser> {
	const id = randomUUID();
	const token = await stack.stack.keys.signAccessToken(
		{
			sub: id,
			role: 'authenticated',
			aud: 'authenticated',
			session_id: randomUUID(),
			is_anonymous: false
		},
		3600
	);
	return { id, token, client: client(stack, stack.keys.anon, token) };
}

/** Every file below `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
	const out: string[] = [];
	const walk = (current: string, prefix: string) => {
		let names: string[];
		try {
			names = readdirSync(current);
		} catch {
			return;
		}
		for (const name of names) {
			const path = join(current, name);
			if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
			else out.push(`${prefix}${name}`);
		}
	};
	walk(dir, '');
	return out;
}

export function storageDir(stack: TestStack, sub: 'tmp' | 'objects' | 'tus'): string {
	return join(stack.stack.dataDir, 'storage', sub);
}

/** Deterministic test bytes. */
export function bytes(size: number, seed = 7): Buffer {
	const out = Buffer.allocUnsafe(size);
	for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) % 251;
	return out;
}

/** Compares large bodies by hash: deep equality over big Buffers is slow in vitest. */
export function digest(data: ArrayBuffer | Buffer): string {
	return createHash('sha256')
		.update(Buffer.isBuffer(data) ? data : Buffer.from(data))
		.digest('hex');
}
