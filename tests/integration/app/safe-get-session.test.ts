/**
 * The app's Supabase handle against a real local stack: `safeGetSession()` trusts a session cookie
 * only when the JWT inside verifies against the stack's keys (security checklist A10), and any
 * response to a request that carries a session is `Cache-Control: private, no-store` (A13).
 */
import { createServerClient } from '@supabase/ssr';
import { createClient } from '@supabase/supabase-js';
import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseHandle } from '../../../src/lib/server/hooks/supabase.ts';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';

const cookieName = 'sb-127-auth-token';

function cookieJar(initial: Record<string, string>): Cookies {
	const jar = new Map(Object.entries(initial));
	return {
		get: (name) => jar.get(name),
		getAll: () => [...jar].map(([name, value]) => ({ name, value })),
		set: (name, value) => void jar.set(name, value),
		delete: (name) => void jar.delete(name),
		serialize: () => '',
		parse: () => {
			throw new Error('not used by the Supabase hook');
		}
	};
}

interface Outcome {
	userId: string | null;
	cacheControl: string | null;
}

async function requestAs(stack: TestStack, cookies: Record<string, string>): Promise<Outcome> {
	const handle = createSupabaseHandle(() => ({
		url: stack.url,
		publishableKey: stack.keys.publishable
	}));
	const event = {
		cookies: cookieJar(cookies),
		locals: {},
		url: new URL('http://localhost/de/'),
		request: new Request('http://localhost/de/')
	} as unknown as RequestEvent;
	const response = await handle({
		event,
		resolve: async (resolved) => {
			const { user } = await resolved.locals.safeGetSession();
			return new Response(JSON.stringify({ userId: user?.id ?? null }));
		}
	});
	const { userId } = (await response.json()) as { userId: string | null };
	return { userId, cacheControl: response.headers.get('Cache-Control') };
}

/** Re-encodes the @supabase/ssr cookie after `edit` changed the session inside it. */
function editSession(cookie: string, edit: (session: { access_token: string }) => void): string {
	const session = JSON.parse(Buffer.from(cookie.replace(/^base64-/, ''), 'base64url').toString());
	edit(session);
	return `base64-${Buffer.from(JSON.stringify(session)).toString('base64url')}`;
}

describe.each(testDbKinds())('safeGetSession on %s', (kind) => {
	let stack: TestStack;
	let userId: string;
	let sessionCookie: string;

	beforeAll(async () => {
		stack = await startTestStack({ kind });
		const admin = createClient(stack.url, stack.keys.secret, {
			auth: { persistSession: false }
		});
		const email = `maker-${Date.now()}@example.org`;
		const created = await admin.auth.admin.createUser({
			email,
			password: 'linen-and-indigo-7',
			email_confirm: true
		});
		if (created.error) throw created.error;
		userId = created.data.user.id;

		const jar = new Map<string, string>();
		const browser = createServerClient(stack.url, stack.keys.publishable, {
			cookies: {
				getAll: () => [...jar].map(([name, value]) => ({ name, value })),
				setAll: (cookies) => cookies.forEach(({ name, value }) => jar.set(name, value))
			}
		});
		const signIn = await browser.auth.signInWithPassword({ email, password: 'linen-and-indigo-7' });
		if (signIn.error) throw signIn.error;
		sessionCookie = jar.get(cookieName)!;
	});

	afterAll(async () => {
		await stack?.close();
	});

	it('returns the user of a valid session and marks the response private', async () => {
		expect(await requestAs(stack, { [cookieName]: sessionCookie })).toEqual({
			userId,
			cacheControl: 'private, no-store'
		});
	});

	it('treats a JWT with an edited subject as signed out', async () => {
		const forged = editSession(sessionCookie, (session) => {
			const [header, payload, signature] = session.access_token.split('.');
			const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
			claims.sub = '00000000-0000-4000-8000-000000000000';
			const edited = Buffer.from(JSON.stringify(claims)).toString('base64url');
			session.access_token = [header, edited, signature].join('.');
		});
		const outcome = await requestAs(stack, { [cookieName]: forged });
		expect(outcome).toEqual({ userId: null, cacheControl: 'private, no-store' });
	});

	it('treats a JWT with a broken signature as signed out', async () => {
		const broken = editSession(sessionCookie, (session) => {
			const [header, payload, signature] = session.access_token.split('.');
			const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
			session.access_token = [header, payload, flipped].join('.');
		});
		expect((await requestAs(stack, { [cookieName]: broken })).userId).toBeNull();
	});

	it('leaves a request without a session anonymous and cacheable', async () => {
		expect(await requestAs(stack, {})).toEqual({ userId: null, cacheControl: null });
	});
});
