/**
 * The optional upgrade to email and password through the real auth server: an anonymous
 * participant (with or without a return ticket) adds an address and a password, keeps their
 * account and pieces, and signs in with them from a fresh client; a taken address, a short
 * password and a mistyped repeat are refused with translatable codes and change nothing. With
 * email confirmations on, the confirmation mail lands in the stack's outbox and the address
 * applies once the link is used.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import {
	addEmailAndPassword,
	MIN_PASSWORD_LENGTH,
	type UpgradeInput
} from '../../../src/lib/server/participant/account.ts';
import { createReturnTicket } from '../../../src/lib/server/participant/tickets.ts';
import { adminClient, client, createPiece, joinAsParticipant } from './support.ts';
import de from '../../../src/lib/i18n/messages/participant/de.json' with { type: 'json' };

const PASSWORD = 'drei rote Fäden im Wind';
const REDIRECT = 'http://127.0.0.1:5173/auth/confirm?next=/me';
const input = (email: string, overrides: Partial<UpgradeInput> = {}): UpgradeInput => ({
	email,
	password: PASSWORD,
	passwordRepeat: PASSWORD,
	redirectTo: REDIRECT,
	...overrides
});
const newAddress = () => `maker-${crypto.randomUUID()}@example.test`;

async function signInFresh(stack: TestStack, email: string, password: string) {
	const fresh = client(stack);
	const { data, error } = await fresh.auth.signInWithPassword({ email, password });
	return { id: data.user?.id ?? null, error, fresh };
}

describe.each(testDbKinds())('email and password upgrade on %s', (kind) => {
	let stack: TestStack;
	let admin: SupabaseClient;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
		admin = adminClient(stack);
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('keeps the account and its pieces and signs in from another client', async () => {
		const p = await joinAsParticipant(stack, 'Olha');
		const piece = await createPiece(stack, p.supabase, p.userId, 'Рушник');
		const email = newAddress();
		expect(await addEmailAndPassword(p.supabase, input(email))).toEqual({
			ok: true,
			status: 'active',
			email
		});
		// The refreshed session already carries the address and is no longer anonymous.
		const { data: session } = await p.supabase.auth.getSession();
		expect(session.session?.user.email).toBe(email);
		expect(session.session?.user.is_anonymous).toBe(false);

		const again = await signInFresh(stack, email, PASSWORD);
		expect(again.error).toBeNull();
		expect(again.id).toBe(p.userId);
		const { data: pieces } = await again.fresh.from('pieces').select('id').eq('id', piece.pieceId);
		expect(pieces).toEqual([{ id: piece.pieceId }]);
		expect((await signInFresh(stack, email, 'not the password')).error?.code).toBe(
			'invalid_credentials'
		);
	});

	it('works for a ticket holder, whose undeliverable address is replaced', async () => {
		const p = await joinAsParticipant(stack, 'Amir');
		await createReturnTicket(admin, p.supabase, p.userId);
		const email = newAddress();
		expect(await addEmailAndPassword(p.supabase, input(email))).toMatchObject({
			ok: true,
			status: 'active'
		});
		const { data } = await admin.auth.admin.getUserById(p.userId);
		expect(data.user?.email).toBe(email);
		expect((await signInFresh(stack, email, PASSWORD)).id).toBe(p.userId);
	});

	it.each<[string, (taken: string) => UpgradeInput, string]>([
		['an address another account has', (taken) => input(taken), 'email_taken'],
		['a mistyped address', () => input('not-an-address'), 'email_invalid'],
		['the reserved ticket domain', () => input('p-x@participants.invalid'), 'email_invalid'],
		[
			'a short password',
			() => input(newAddress(), { password: 'kurz', passwordRepeat: 'kurz' }),
			'password_weak'
		],
		[
			'a repeat that differs',
			() => input(newAddress(), { passwordRepeat: `${PASSWORD}!` }),
			'password_mismatch'
		]
	])('refuses %s and changes nothing', async (_case, make, code) => {
		const p = await joinAsParticipant(stack, 'Nadia');
		const result = await addEmailAndPassword(
			p.supabase,
			make('participant@demo.connecting-thread.test')
		);
		expect(result).toEqual({ ok: false, code });
		const messages = de as Record<string, string>;
		expect(messages[`participant_error_${code}`] ?? messages[`auth_error_${code}`]).toBeTruthy();
		const { data } = await admin.auth.admin.getUserById(p.userId);
		expect(data.user?.email ?? '').toBe('');
		expect(data.user?.is_anonymous).toBe(true);
	});

	it('asks the auth server for the same minimum length the app checks', () => {
		const config = readFileSync('supabase/config.toml', 'utf8');
		expect(config).toMatch(new RegExp(`minimum_password_length = ${MIN_PASSWORD_LENGTH}\\b`));
	});

	it('with confirmations on, mails a link to the new address and applies it once used', async () => {
		const project = mkdtempSync(join(tmpdir(), 'ct-confirm-'));
		let confirming: TestStack | undefined;
		try {
			cpSync('supabase/migrations', join(project, 'migrations'), { recursive: true });
			cpSync('supabase/seed.sql', join(project, 'seed.sql'));
			const config = readFileSync('supabase/config.toml', 'utf8');
			expect(config).toContain('enable_confirmations = false');
			writeFileSync(
				join(project, 'config.toml'),
				config.replace('enable_confirmations = false', 'enable_confirmations = true')
			);
			confirming = await startTestStack({ kind, projectDir: project });
			const p = await joinAsParticipant(confirming, 'Lesia');
			const email = newAddress();
			expect(await addEmailAndPassword(p.supabase, input(email))).toEqual({
				ok: true,
				status: 'confirmation_sent',
				email
			});
			const response = await fetch(
				`${confirming.url}/auth/v1/outbox.json?to=${encodeURIComponent(email)}`
			);
			const { messages } = (await response.json()) as {
				messages: { type: string; token_hash?: string; text: string }[];
			};
			expect(messages.map((mail) => mail.type)).toEqual(['email_change']);
			// Not yet: the address applies only once the link in the mail is opened.
			expect((await signInFresh(confirming, email, PASSWORD)).id).toBeNull();
			const hash = messages[0].token_hash ?? /token_hash=([0-9a-f]+)/.exec(messages[0].text)?.[1];
			expect(hash).toBeTruthy();
			const verified = await p.supabase.auth.verifyOtp({ type: 'email_change', token_hash: hash! });
			expect(verified.error).toBeNull();
			expect((await signInFresh(confirming, email, PASSWORD)).id).toBe(p.userId);
		} finally {
			await confirming?.close();
			rmSync(project, { recursive: true, force: true });
		}
	});
});
