/**
 * The local GoTrue-compatible auth service, driven through the unmodified supabase-js and
 * @supabase/ssr clients on both database kinds.
 */
import { resolve } from 'node:path';
import { createServerClient } from '@supabase/ssr';
import {
	AuthApiError,
	AuthRetryableFetchError,
	AuthSessionMissingError,
	AuthWeakPasswordError,
	createClient,
	type Session,
	type SupabaseClient
} from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_SECRET } from '../../../supabase/local/src/core/keys.ts';
import { REMOTE_SKIP, startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';

const AUTH_PROJECT = resolve('tests/fixtures/auth-project');
const CONFIRM_PROJECT = resolve('tests/fixtures/auth-confirm-project');
const PASSWORD = 'correct-horse-9';

let counter = 0;
const uniqueEmail = (label: string) =>
	`${label}-${Date.now().toString(36)}-${counter++}@example.test`;

function client(stack: TestStack, key = stack.keys.publishable): SupabaseClient {
	return createClient(stack.url, key, {
		auth: { persistSession: false, autoRefreshToken: false }
	});
}

/** An @supabase/ssr server client whose cookies live in `jar`, as in a SvelteKit hook. */
function ssrClient(stack: TestStack, jar: Map<string, string>): SupabaseClient {
	return createServerClient(stack.url, stack.keys.publishable, {
		cookies: {
			getAll: () => [...jar].map(([name, value]) => ({ name, value })),
			setAll: (cookies) => {
				for (const { name, value } of cookies) {
					if (value) jar.set(name, value);
					else jar.delete(name);
				}
			}
		}
	});
}

interface OutboxMail {
	to: string;
	type: string;
	otp: string;
	token_hash: string;
	action_link: string;
	redirect_to: string;
}

async function mailsTo(stack: TestStack, email: string): Promise<OutboxMail[]> {
	const response = await fetch(`${stack.url}/auth/v1/outbox.json?to=${encodeURIComponent(email)}`);
	return ((await response.json()) as { messages: OutboxMail[] }).messages;
}

function decodeJwt(token: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function signUp(stack: TestStack, email = uniqueEmail('user'), data: object = {}) {
	const { data: result, error } = await client(stack).auth.signUp({
		email,
		password: PASSWORD,
		options: { data }
	});
	if (error) throw error;
	return { email, session: result.session as Session, user: result.user! };
}

describe.each(testDbKinds({ remote: true }))('auth on %s (autoconfirm)', (kind) => {
	let stack: TestStack;

	beforeAll(async () => {
		stack = await startTestStack({ kind, projectDir: AUTH_PROJECT });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('signs up with a session whose JWT carries GoTrue claims, verified locally via JWKS', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.internals);
		const { email, session, user } = await signUp(stack, uniqueEmail('claims'), { name: 'Olena' });
		expect(session.access_token).toBeTruthy();
		expect(user.email).toBe(email);
		expect(user.identities?.[0]).toMatchObject({ provider: 'email', user_id: user.id });
		const supabase = client(stack);
		const { data, error } = await supabase.auth.getClaims(session.access_token);
		expect(error).toBeNull();
		const claims = data!.claims;
		expect(claims).toMatchObject({
			sub: user.id,
			aud: 'authenticated',
			role: 'authenticated',
			email,
			phone: '',
			aal: 'aal1',
			is_anonymous: false,
			iss: `${stack.url}/auth/v1`,
			app_metadata: { provider: 'email', providers: ['email'] },
			user_metadata: { name: 'Olena' }
		});
		expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
		expect(typeof claims.session_id).toBe('string');
		expect(data!.header).toMatchObject({ alg: 'ES256', kid: stack.stack.keys.jwks.keys[0].kid });
		// The JWKS endpoint serves only the public key.
		const jwks = (await (await fetch(`${stack.url}/auth/v1/.well-known/jwks.json`)).json()) as {
			keys: Record<string, unknown>[];
		};
		expect(jwks.keys).toHaveLength(1);
		expect(jwks.keys[0].d).toBeUndefined();
	});

	it('writes real auth rows and fires app triggers as supabase_auth_admin', async () => {
		const { user } = await signUp(stack, uniqueEmail('rows'), { name: 'Rows' });
		const { rows } = await stack.db.query(
			`select p.display_name, l.db_role,
				(select count(*)::int from auth.identities where user_id = u.id) as identities,
				(select count(*)::int from auth.sessions where user_id = u.id) as sessions,
				u.encrypted_password like '$2a$10$%' as bcrypt
			 from auth.users u join public.profiles p on p.id = u.id join public.signup_log l on l.user_id = u.id
			 where u.id = $1`,
			[user.id]
		);
		expect(rows).toEqual([
			{
				display_name: 'Rows',
				db_role: 'supabase_auth_admin',
				identities: 1,
				sessions: 1,
				bcrypt: true
			}
		]);
	});

	it('refuses a second signup, a weak password, and reports a failing trigger as 500', async () => {
		const { email } = await signUp(stack);
		const again = await client(stack).auth.signUp({ email, password: PASSWORD });
		expect(again.error).toBeInstanceOf(AuthApiError);
		expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists' });

		const weak = await client(stack).auth.signUp({ email: uniqueEmail('weak'), password: 'short' });
		expect(weak.error).toBeInstanceOf(AuthWeakPasswordError);
		expect(weak.error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });

		const failing = await client(stack).auth.signUp({
			email: uniqueEmail('fail'),
			password: PASSWORD,
			options: { data: { fail: 'yes' } }
		});
		// auth-js does not read 5xx bodies; the message is GoTrue's all the same.
		expect(failing.error).toBeInstanceOf(AuthRetryableFetchError);
		expect(failing.error).toMatchObject({ status: 500 });
		const raw = await fetch(`${stack.url}/auth/v1/signup`, {
			method: 'POST',
			headers: {
				apikey: stack.keys.publishable,
				'content-type': 'application/json',
				'x-supabase-api-version': '2024-01-01'
			},
			body: JSON.stringify({
				email: uniqueEmail('fail'),
				password: PASSWORD,
				data: { fail: 'yes' }
			})
		});
		expect(raw.status).toBe(500);
		expect(await raw.json()).toEqual({
			code: 'unexpected_failure',
			message: 'Database error saving new user'
		});
		const { rows } = await stack.db.query(
			`select 1 from auth.users where raw_user_meta_data ->> 'fail' = 'yes'`
		);
		expect(rows).toEqual([]);
	});

	it('signs in with a password, including a seed-style pgcrypto hash', async () => {
		const { email } = await signUp(stack);
		const supabase = client(stack);
		const wrong = await supabase.auth.signInWithPassword({ email, password: 'not-the-password' });
		expect(wrong.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
		const unknown = await supabase.auth.signInWithPassword({
			email: uniqueEmail('nobody'),
			password: PASSWORD
		});
		expect(unknown.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
		const ok = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
		expect(ok.error).toBeNull();
		expect(ok.data.user?.email).toBe(email);

		const seeded = uniqueEmail('seeded');
		await stack.db.query(
			`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
				raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
			 values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
				$1, extensions.crypt('seed-password', extensions.gen_salt('bf')), now(),
				'{"provider":"email","providers":["email"]}', '{}', now(), now())`,
			[seeded]
		);
		const fromSeed = await supabase.auth.signInWithPassword({
			email: seeded,
			password: 'seed-password'
		});
		expect(fromSeed.error).toBeNull();
		expect(fromSeed.data.user?.email).toBe(seeded);
	});

	it('rotates refresh tokens and detects reuse outside the reuse window', async () => {
		const { session } = await signUp(stack);
		const supabase = client(stack);
		const sessionId = decodeJwt(session.access_token).session_id;
		const first = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
		expect(first.error).toBeNull();
		const r1 = first.data.session!.refresh_token;
		expect(r1).not.toBe(session.refresh_token);
		expect(decodeJwt(first.data.session!.access_token).session_id).toBe(sessionId);
		// The parent of the active token still answers (a client that lost the response).
		const retry = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
		expect(retry.data.session?.refresh_token).toBe(r1);
		const second = await supabase.auth.refreshSession({ refresh_token: r1 });
		const r2 = second.data.session!.refresh_token;
		// The first token is now two generations old and the window is 0 s: reuse.
		const reused = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
		expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
		// Reuse revokes the whole family, including the newest token.
		const after = await supabase.auth.refreshSession({ refresh_token: r2 });
		expect(after.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
		const unknown = await supabase.auth.refreshSession({ refresh_token: 'not-a-token' });
		expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
	});

	it('logs out with the others, local and global scopes', async () => {
		const { email } = await signUp(stack);
		const sessions: Session[] = [];
		for (let i = 0; i < 3; i++) {
			const { data } = await client(stack).auth.signInWithPassword({ email, password: PASSWORD });
			sessions.push(data.session!);
		}
		const [a, b, c] = sessions;
		const supabase = client(stack);
		await supabase.auth.setSession(a);
		expect((await supabase.auth.signOut({ scope: 'others' })).error).toBeNull();
		expect((await client(stack).auth.getUser(a.access_token)).error).toBeNull();
		const bGone = await client(stack).auth.getUser(b.access_token);
		expect(bGone.error).toBeInstanceOf(AuthSessionMissingError);
		expect((await client(stack).auth.getUser(c.access_token)).error).toBeInstanceOf(
			AuthSessionMissingError
		);

		const { data: d } = await client(stack).auth.signInWithPassword({ email, password: PASSWORD });
		const local = client(stack);
		await local.auth.setSession(a);
		expect((await local.auth.signOut({ scope: 'local' })).error).toBeNull();
		expect((await client(stack).auth.getUser(a.access_token)).error).toBeInstanceOf(
			AuthSessionMissingError
		);
		expect((await client(stack).auth.getUser(d.session!.access_token)).error).toBeNull();

		const global = client(stack);
		await global.auth.setSession(d.session!);
		expect((await global.auth.signOut()).error).toBeNull();
		expect((await client(stack).auth.getUser(d.session!.access_token)).error).toBeInstanceOf(
			AuthSessionMissingError
		);
		const refresh = await client(stack).auth.refreshSession({
			refresh_token: d.session!.refresh_token
		});
		expect(refresh.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
	});

	it('lets users change user_metadata and password, never app_metadata or their role', async () => {
		const { email, session } = await signUp(stack, uniqueEmail('meta'), { keep: 1, drop: 2 });
		const supabase = client(stack);
		await supabase.auth.setSession(session);
		const updated = await supabase.auth.updateUser({ data: { role: 'moderator', drop: null } });
		expect(updated.error).toBeNull();
		expect(updated.data.user!.user_metadata).toEqual({ keep: 1, role: 'moderator' });
		expect(updated.data.user!.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
		const { data: refreshed } = await supabase.auth.refreshSession();
		const claims = decodeJwt(refreshed.session!.access_token);
		expect(claims.role).toBe('authenticated');
		expect(claims.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
		expect(claims.user_metadata).toEqual({ keep: 1, role: 'moderator' });

		const sneaky = await fetch(`${stack.url}/auth/v1/user`, {
			method: 'PUT',
			headers: {
				apikey: stack.keys.publishable,
				authorization: `Bearer ${refreshed.session!.access_token}`,
				'content-type': 'application/json',
				'x-supabase-api-version': '2024-01-01'
			},
			body: JSON.stringify({ app_metadata: { role: 'admin' } })
		});
		expect(sneaky.status).toBe(403);
		expect(await sneaky.json()).toMatchObject({ code: 'not_admin' });
		const { rows } = await stack.db.query<{ raw_app_meta_data: unknown }>(
			'select raw_app_meta_data from auth.users where email = $1',
			[email]
		);
		expect(rows[0].raw_app_meta_data).toEqual({ provider: 'email', providers: ['email'] });

		const same = await supabase.auth.updateUser({ password: PASSWORD });
		expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
		expect((await supabase.auth.updateUser({ password: 'a-new-password-1' })).error).toBeNull();
		const signIn = await client(stack).auth.signInWithPassword({
			email,
			password: 'a-new-password-1'
		});
		expect(signIn.error).toBeNull();
	});

	it('signs in with an email OTP and with a magic link, through the outbox', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.outbox);
		const email = uniqueEmail('otp');
		const supabase = client(stack);
		expect((await supabase.auth.signInWithOtp({ email })).error).toBeNull();
		const [confirmation] = await mailsTo(stack, email);
		expect(confirmation).toMatchObject({ to: email, type: 'signup' });
		expect(confirmation.otp).toMatch(/^\d{6}$/);
		const wrong = await supabase.auth.verifyOtp({ email, token: '000000', type: 'email' });
		expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired' });
		const verified = await supabase.auth.verifyOtp({
			email,
			token: confirmation.otp,
			type: 'email'
		});
		expect(verified.error).toBeNull();
		expect(verified.data.user?.email_confirmed_at).toBeTruthy();
		expect(decodeJwt(verified.data.session!.access_token).amr).toEqual([
			{ method: 'otp', timestamp: expect.any(Number) }
		]);
		// A used code does not work twice.
		const replay = await supabase.auth.verifyOtp({ email, token: confirmation.otp, type: 'email' });
		expect(replay.error).toMatchObject({ code: 'otp_expired' });

		expect(
			(await supabase.auth.signInWithOtp({ email, options: { shouldCreateUser: false } })).error
		).toBeNull();
		const [magic] = await mailsTo(stack, email);
		expect(magic.type).toBe('magiclink');
		const byHash = await client(stack).auth.verifyOtp({
			token_hash: magic.token_hash,
			type: 'magiclink'
		});
		expect(byHash.error).toBeNull();
		expect(byHash.data.session?.user.email).toBe(email);

		const nobody = await supabase.auth.signInWithOtp({
			email: uniqueEmail('nobody'),
			options: { shouldCreateUser: false }
		});
		expect(nobody.error).toMatchObject({ status: 422, code: 'otp_disabled' });
	});

	it('redirects a clicked magic link with the session in the fragment', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.outbox);
		const { email } = await signUp(stack);
		await client(stack).auth.signInWithOtp({
			email,
			options: { emailRedirectTo: 'http://localhost:5173/welcome' }
		});
		const [magic] = await mailsTo(stack, email);
		expect(magic.redirect_to).toBe('http://localhost:5173/welcome');
		const response = await fetch(magic.action_link, { redirect: 'manual' });
		expect(response.status).toBe(303);
		const location = new URL(response.headers.get('location')!);
		expect(`${location.origin}${location.pathname}`).toBe('http://localhost:5173/welcome');
		const fragment = new URLSearchParams(location.hash.slice(1));
		expect(fragment.get('type')).toBe('magiclink');
		expect(fragment.get('token_type')).toBe('bearer');
		const { data } = await client(stack).auth.getUser(fragment.get('access_token')!);
		expect(data.user?.email).toBe(email);
		// The same link again fails, back to the app with an error fragment.
		const again = await fetch(magic.action_link, { redirect: 'manual' });
		const failed = new URLSearchParams(new URL(again.headers.get('location')!).hash.slice(1));
		expect(failed.get('error_code')).toBe('otp_expired');
		// A redirect outside site_url and the allow list falls back to site_url.
		await client(stack).auth.signInWithOtp({
			email,
			options: { emailRedirectTo: 'https://evil.example/x' }
		});
		const [foreign] = await mailsTo(stack, email);
		expect(foreign.redirect_to).toBe('http://127.0.0.1:3000');
		const page = await fetch(`${stack.url}/auth/v1/outbox`);
		expect(page.headers.get('content-type')).toMatch(/text\/html/);
		expect(await page.text()).toContain(email);
	});

	it('invites a user and recovers a password through mailed links', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.outbox);
		const email = uniqueEmail('invited');
		const admin = client(stack, stack.keys.secret).auth.admin;
		const invited = await admin.inviteUserByEmail(email, { data: { name: 'Invited' } });
		expect(invited.error).toBeNull();
		expect(invited.data.user).toMatchObject({ email, invited_at: expect.any(String) });
		const [invitation] = await mailsTo(stack, email);
		expect(invitation.type).toBe('invite');
		const accepted = await client(stack).auth.verifyOtp({
			token_hash: invitation.token_hash,
			type: 'invite'
		});
		expect(accepted.error).toBeNull();
		expect(accepted.data.user?.email_confirmed_at).toBeTruthy();

		const supabase = client(stack);
		expect((await supabase.auth.resetPasswordForEmail(email)).error).toBeNull();
		const [recovery] = await mailsTo(stack, email);
		expect(recovery.type).toBe('recovery');
		const recovered = await supabase.auth.verifyOtp({
			email,
			token: recovery.otp,
			type: 'recovery'
		});
		expect(recovered.error).toBeNull();
		expect((await supabase.auth.updateUser({ password: 'recovered-password-1' })).error).toBeNull();
		const signIn = await client(stack).auth.signInWithPassword({
			email,
			password: 'recovered-password-1'
		});
		expect(signIn.data.user?.id).toBe(invited.data.user!.id);
		// Unknown addresses get the same answer and no mail.
		const ghost = uniqueEmail('ghost');
		expect((await supabase.auth.resetPasswordForEmail(ghost)).error).toBeNull();
		expect(await mailsTo(stack, ghost)).toEqual([]);
	});

	it('signs in anonymously and converts the user by adding an email', async () => {
		const supabase = client(stack);
		const { data, error } = await supabase.auth.signInAnonymously({
			options: { data: { lang: 'uk' } }
		});
		expect(error).toBeNull();
		expect(data.user).toMatchObject({
			is_anonymous: true,
			email: '',
			app_metadata: {},
			user_metadata: { lang: 'uk' }
		});
		const claims = decodeJwt(data.session!.access_token);
		expect(claims).toMatchObject({ role: 'authenticated', is_anonymous: true });
		expect(claims.amr).toEqual([{ method: 'anonymous', timestamp: expect.any(Number) }]);
		const noEmail = await supabase.auth.updateUser({ password: PASSWORD });
		expect(noEmail.error).toMatchObject({ status: 422 });
		const email = uniqueEmail('converted');
		const converted = await supabase.auth.updateUser({ email });
		expect(converted.error).toBeNull();
		expect(converted.data.user).toMatchObject({ email, is_anonymous: false });
		expect((await supabase.auth.updateUser({ password: PASSWORD })).error).toBeNull();
		const signIn = await client(stack).auth.signInWithPassword({ email, password: PASSWORD });
		expect(signIn.data.user?.id).toBe(data.user!.id);
	});

	it('serves the admin API to the secret key only', async () => {
		const admin = client(stack, stack.keys.secret).auth.admin;
		const email = uniqueEmail('admin');
		const created = await admin.createUser({
			email,
			password: PASSWORD,
			email_confirm: true,
			user_metadata: { name: 'Mod' },
			app_metadata: { role: 'moderator' }
		});
		expect(created.error).toBeNull();
		const id = created.data.user!.id;
		expect(created.data.user!.app_metadata).toEqual({
			provider: 'email',
			providers: ['email'],
			role: 'moderator'
		});
		const duplicate = await admin.createUser({ email, password: PASSWORD });
		expect(duplicate.error).toMatchObject({ status: 422, code: 'email_exists' });

		const signIn = await client(stack).auth.signInWithPassword({ email, password: PASSWORD });
		expect(decodeJwt(signIn.data.session!.access_token).app_metadata).toMatchObject({
			role: 'moderator'
		});

		await signUp(stack);
		await signUp(stack);
		const page = await admin.listUsers({ page: 1, perPage: 2 });
		expect(page.error).toBeNull();
		expect(page.data.users).toHaveLength(2);
		expect(page.data).toMatchObject({ nextPage: 2, total: expect.any(Number) });
		expect((page.data as { total: number }).total).toBeGreaterThanOrEqual(3);
		expect((page.data as { lastPage: number }).lastPage).toBe(
			Math.ceil((page.data as { total: number }).total / 2)
		);

		expect((await admin.getUserById(id)).data.user?.email).toBe(email);
		const banned = await admin.updateUserById(id, {
			ban_duration: '24h',
			app_metadata: { role: null, team: 'dresden' }
		});
		expect(banned.data.user?.app_metadata).toEqual({
			provider: 'email',
			providers: ['email'],
			team: 'dresden'
		});
		const blocked = await client(stack).auth.signInWithPassword({ email, password: PASSWORD });
		expect(blocked.error).toMatchObject({ status: 400, code: 'user_banned' });
		await admin.updateUserById(id, { ban_duration: 'none' });
		expect(
			(await client(stack).auth.signInWithPassword({ email, password: PASSWORD })).error
		).toBeNull();

		const link = await admin.generateLink({ type: 'magiclink', email });
		expect(link.error).toBeNull();
		expect(link.data.properties).toMatchObject({
			verification_type: 'magiclink',
			email_otp: expect.stringMatching(/^\d{6}$/)
		});
		const viaLink = await client(stack).auth.verifyOtp({
			token_hash: link.data.properties!.hashed_token,
			type: 'magiclink'
		});
		expect(viaLink.data.user?.id).toBe(id);

		const soft = await admin.deleteUser(id, true);
		expect(soft.error).toBeNull();
		expect((await admin.getUserById(id)).error).toMatchObject({
			status: 404,
			code: 'user_not_found'
		});

		const { session: victim } = await signUp(stack);
		expect((await admin.deleteUser(victim.user.id)).error).toBeNull();
		const stale = await client(stack).auth.getUser(victim.access_token);
		expect(stale.error).toMatchObject({ status: 403, code: 'user_not_found' });

		const anon = await client(stack).auth.admin.listUsers();
		expect(anon.error).toMatchObject({ status: 403, code: 'not_admin' });
		const { session } = await signUp(stack);
		const asUser = await fetch(`${stack.url}/auth/v1/admin/users`, {
			headers: {
				apikey: stack.keys.publishable,
				authorization: `Bearer ${session.access_token}`,
				'x-supabase-api-version': '2024-01-01'
			}
		});
		expect(asUser.status).toBe(403);
		expect(await asUser.json()).toEqual({ code: 'not_admin', message: 'User not allowed' });
	});

	it('runs the PKCE magic link flow of @supabase/ssr with cookies', async (ctx) => {
		ctx.skip(kind === 'remote', REMOTE_SKIP.outbox);
		const { email } = await signUp(stack);
		const jar = new Map<string, string>();
		const serverClient = () => ssrClient(stack, jar);
		const first = serverClient();
		const sent = await first.auth.signInWithOtp({
			email,
			options: { emailRedirectTo: 'http://127.0.0.1:3000/auth/callback?next=%2Fde' }
		});
		expect(sent.error).toBeNull();
		expect([...jar.keys()]).toContain('sb-127-auth-token-code-verifier');
		const [mail] = await mailsTo(stack, email);
		expect(new URL(mail.action_link).searchParams.get('token')).toMatch(/^pkce_/);
		const click = await fetch(mail.action_link, { redirect: 'manual' });
		expect(click.status).toBe(303);
		const callback = new URL(click.headers.get('location')!);
		expect(callback.pathname).toBe('/auth/callback');
		expect(callback.searchParams.get('next')).toBe('/de');
		const code = callback.searchParams.get('code')!;
		expect(code).toMatch(/^[0-9a-f-]{36}$/);

		const exchanged = await serverClient().auth.exchangeCodeForSession(code);
		expect(exchanged.error).toBeNull();
		expect(exchanged.data.user?.email).toBe(email);
		expect(jar.get('sb-127-auth-token')).toMatch(/^base64-/);

		// A later request reads the session back from the cookies alone.
		const later = serverClient();
		const { data: claims, error } = await later.auth.getClaims();
		expect(error).toBeNull();
		expect(claims?.claims.email).toBe(email);
		expect((await later.auth.getUser()).data.user?.email).toBe(email);

		// The code is single use, and a wrong verifier is refused.
		const replay = await serverClient().auth.exchangeCodeForSession(code);
		expect(replay.error).toBeTruthy();
		await serverClient().auth.signInWithOtp({ email });
		const [next] = await mailsTo(stack, email);
		const nextCode = new URL(
			(await fetch(next.action_link, { redirect: 'manual' })).headers.get('location')!
		).searchParams.get('code');
		const badVerifier = await fetch(`${stack.url}/auth/v1/token?grant_type=pkce`, {
			method: 'POST',
			headers: {
				apikey: stack.keys.publishable,
				'content-type': 'application/json',
				'x-supabase-api-version': '2024-01-01'
			},
			body: JSON.stringify({ auth_code: nextCode, code_verifier: 'x'.repeat(43) })
		});
		expect(badVerifier.status).toBe(400);
		expect(await badVerifier.json()).toMatchObject({ code: 'bad_code_verifier' });
	});

	it('signs in through @supabase/ssr with a password and keeps the session in cookies', async () => {
		const { email } = await signUp(stack);
		const jar = new Map<string, string>();
		const make = () => ssrClient(stack, jar);
		expect((await make().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		const cookie = jar.get('sb-127-auth-token')!;
		const stored = JSON.parse(
			Buffer.from(cookie.slice('base64-'.length), 'base64url').toString('utf8')
		);
		expect(stored.user.email).toBe(email);
		const { data } = await make().auth.getUser();
		expect(data.user?.email).toBe(email);
		await make().auth.signOut();
		expect(jar.has('sb-127-auth-token')).toBe(false);
	});

	it('answers bad tokens with GoTrue errors', async () => {
		const { session } = await signUp(stack);
		const call = (authorization?: string, apikey?: string) =>
			fetch(`${stack.url}/auth/v1/user`, {
				headers: {
					'x-supabase-api-version': '2024-01-01',
					...(authorization ? { authorization } : {}),
					...(apikey ? { apikey } : {})
				}
			});
		const expectError = async (response: Response, status: number, code: string) => {
			expect(response.status).toBe(status);
			expect(response.headers.get('x-supabase-api-version')).toBe('2024-01-01');
			expect(await response.json()).toMatchObject({ code, message: expect.any(String) });
		};
		await expectError(await call(), 401, 'no_authorization');
		await expectError(await call('Bearer not.a.jwt'), 403, 'bad_jwt');
		const [, payload] = session.access_token.split('.');
		const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
		await expectError(await call(`Bearer ${none}`), 403, 'bad_jwt');
		const claims = decodeJwt(session.access_token);
		const now = Math.floor(Date.now() / 1000);
		const hs = (secret: string, exp: number) =>
			new SignJWT({ ...claims, exp, iat: now - 10 })
				.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
				.sign(new TextEncoder().encode(secret));
		await expectError(
			await call(`Bearer ${await hs('another-secret-that-is-at-least-32-chars', now + 600)}`),
			403,
			'bad_jwt'
		);
		await expectError(await call(`Bearer ${await hs(JWT_SECRET, now - 3600)}`), 403, 'bad_jwt');
		// A properly signed HS256 token (legacy projects) for the same user is accepted.
		expect((await call(`Bearer ${await hs(JWT_SECRET, now + 600)}`)).status).toBe(200);
		// The publishable key becomes the anon JWT: no sub.
		const anon = await call(undefined, stack.keys.publishable);
		expect(anon.status).toBe(403);
		expect(await anon.json()).toEqual({
			code: 'bad_jwt',
			message: 'invalid claim: missing sub claim'
		});
		const ghost = await new SignJWT({
			...claims,
			sub: '00000000-0000-4000-8000-000000000000',
			session_id: undefined
		})
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setExpirationTime(now + 600)
			.sign(new TextEncoder().encode(JWT_SECRET));
		await expectError(await call(`Bearer ${ghost}`), 403, 'user_not_found');
		// A correctly signed token with a role that is not an admin role gets no admin API.
		const postgresRole = await new SignJWT({ role: 'postgres' })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setExpirationTime(now + 600)
			.sign(new TextEncoder().encode(JWT_SECRET));
		const notAdmin = await fetch(`${stack.url}/auth/v1/admin/users`, {
			headers: { authorization: `Bearer ${postgresRole}`, 'x-supabase-api-version': '2024-01-01' }
		});
		await expectError(notAdmin, 403, 'not_admin');
		// Without the API version header, the legacy error shape.
		const legacy = await fetch(`${stack.url}/auth/v1/user`, {
			headers: { authorization: 'Bearer x' }
		});
		expect(await legacy.json()).toMatchObject({ code: 403, error_code: 'bad_jwt' });
	});

	it('limits request bodies and answers settings and health', async () => {
		const big = await fetch(`${stack.url}/auth/v1/signup`, {
			method: 'POST',
			headers: {
				apikey: stack.keys.publishable,
				'content-type': 'application/json',
				'x-supabase-api-version': '2024-01-01'
			},
			body: JSON.stringify({
				email: uniqueEmail('big'),
				password: PASSWORD,
				data: { blob: 'x'.repeat(300_000) }
			})
		});
		expect(big.status).toBe(413);
		const settings = await (await fetch(`${stack.url}/auth/v1/settings`)).json();
		expect(settings).toMatchObject({
			mailer_autoconfirm: true,
			disable_signup: false,
			external: { email: true, anonymous_users: true }
		});
		expect((await fetch(`${stack.url}/auth/v1/health`)).status).toBe(200);
	});
});

describe.each(testDbKinds())('auth on %s (confirmations on)', (kind) => {
	let stack: TestStack;

	beforeAll(async () => {
		stack = await startTestStack({ kind, projectDir: CONFIRM_PROJECT });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('requires confirming the address before a session is issued', async () => {
		const email = uniqueEmail('confirm');
		const supabase = client(stack);
		const signUpResult = await supabase.auth.signUp({ email, password: PASSWORD });
		expect(signUpResult.error).toBeNull();
		expect(signUpResult.data.session).toBeNull();
		expect(signUpResult.data.user).toMatchObject({
			email,
			confirmation_sent_at: expect.any(String)
		});
		const early = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
		expect(early.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });
		const [mail] = await mailsTo(stack, email);
		expect(mail.type).toBe('signup');
		const verified = await supabase.auth.verifyOtp({ token_hash: mail.token_hash, type: 'signup' });
		expect(verified.error).toBeNull();
		expect(verified.data.session?.user.email).toBe(email);
		// Signing up again with a confirmed address reveals nothing: a fake user, no error.
		const again = await client(stack).auth.signUp({ email, password: PASSWORD });
		expect(again.error).toBeNull();
		expect(again.data.user?.id).not.toBe(verified.data.user?.id);
		expect(again.data.user?.identities).toEqual([]);
	});

	it('confirms a PKCE signup of @supabase/ssr through the mailed link', async () => {
		const jar = new Map<string, string>();
		const make = () => ssrClient(stack, jar);
		const email = uniqueEmail('pkce-signup');
		const signed = await make().auth.signUp({
			email,
			password: PASSWORD,
			options: { emailRedirectTo: 'http://127.0.0.1:3000/auth/confirm' }
		});
		expect(signed.error).toBeNull();
		expect(signed.data.session).toBeNull();
		const [mail] = await mailsTo(stack, email);
		const click = await fetch(mail.action_link, { redirect: 'manual' });
		const code = new URL(click.headers.get('location')!).searchParams.get('code');
		expect(code).toBeTruthy();
		const exchanged = await make().auth.exchangeCodeForSession(code!);
		expect(exchanged.error).toBeNull();
		expect(exchanged.data.user).toMatchObject({ email, email_confirmed_at: expect.any(String) });
		expect((await make().auth.getUser()).data.user?.email).toBe(email);
	});

	it('accepts an old refresh token within the reuse window', async () => {
		const email = uniqueEmail('window');
		await client(stack).auth.signUp({ email, password: PASSWORD });
		const [mail] = await mailsTo(stack, email);
		const { data } = await client(stack).auth.verifyOtp({ email, token: mail.otp, type: 'email' });
		const supabase = client(stack);
		const r0 = data.session!.refresh_token;
		const r1 = (await supabase.auth.refreshSession({ refresh_token: r0 })).data.session!
			.refresh_token;
		await supabase.auth.refreshSession({ refresh_token: r1 });
		const reused = await supabase.auth.refreshSession({ refresh_token: r0 });
		expect(reused.error).toBeNull();
		expect(reused.data.session?.user.email).toBe(email);
	});

	it('changes the email only after both addresses confirm', async () => {
		const email = uniqueEmail('old');
		const admin = client(stack, stack.keys.secret).auth.admin;
		await admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const supabase = client(stack);
		await supabase.auth.signInWithPassword({ email, password: PASSWORD });
		const newEmail = uniqueEmail('new');
		const changed = await supabase.auth.updateUser({ email: newEmail });
		expect(changed.error).toBeNull();
		expect(changed.data.user).toMatchObject({ email, new_email: newEmail });
		const [toNew] = await mailsTo(stack, newEmail);
		const [toOld] = await mailsTo(stack, email);
		expect(toNew.type).toBe('email_change');
		expect(toOld.type).toBe('email_change');
		const half = await client(stack).auth.verifyOtp({
			token_hash: toNew.token_hash,
			type: 'email_change'
		});
		expect(half.error).toBeNull();
		expect(half.data.session).toBeNull();
		const done = await client(stack).auth.verifyOtp({
			token_hash: toOld.token_hash,
			type: 'email_change'
		});
		expect(done.error).toBeNull();
		expect(done.data.user?.email).toBe(newEmail);
	});

	it('changes an email through an admin-generated email_change_new link', async () => {
		const email = uniqueEmail('before');
		const admin = client(stack, stack.keys.secret).auth.admin;
		const { data: created } = await admin.createUser({
			email,
			password: PASSWORD,
			email_confirm: true
		});
		const newEmail = uniqueEmail('after');
		const link = await admin.generateLink({ type: 'email_change_new', email, newEmail });
		expect(link.error).toBeNull();
		expect(link.data.properties).toMatchObject({ verification_type: 'email_change_new' });
		expect(link.data.user?.new_email).toBe(newEmail);
		const verified = await client(stack).auth.verifyOtp({
			token_hash: link.data.properties!.hashed_token,
			type: 'email_change'
		});
		expect(verified.error).toBeNull();
		expect(verified.data.user).toMatchObject({ id: created.user!.id, email: newEmail });
		const missing = await admin.generateLink({ type: 'recovery', email: uniqueEmail('ghost') });
		expect(missing.error).toMatchObject({ status: 404, code: 'user_not_found' });
	});

	it('rate-limits anonymous sign-ins; a confirmed email makes the anonymous user permanent', async () => {
		const supabase = client(stack);
		const first = await supabase.auth.signInAnonymously();
		expect(first.error).toBeNull();
		const email = uniqueEmail('linked');
		const pending = await supabase.auth.updateUser({ email });
		expect(pending.data.user).toMatchObject({ is_anonymous: true, new_email: email });
		const [mail] = await mailsTo(stack, email);
		const linked = await client(stack).auth.verifyOtp({
			email,
			token: mail.otp,
			type: 'email_change'
		});
		expect(linked.error).toBeNull();
		expect(linked.data.user).toMatchObject({
			id: first.data.user!.id,
			email,
			is_anonymous: false,
			app_metadata: { provider: 'email', providers: ['email'] }
		});
		const second = await client(stack).auth.signInAnonymously();
		expect(second.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
	});
});
