/**
 * One-time tokens for confirmation, magic link, recovery, invite and email change mails
 * (spec §2.8 /otp, /verify): the mail carries a code and a link with hex(SHA-224(email + code));
 * PKCE flows store the hash as `pkce_<hash>` next to an auth.flow_state row.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../core/db.ts';
import { generateOtp, s256, sameSecret, tokenHash } from './crypto.ts';
import { AuthError, badRequest, forbidden, notFound, unprocessable } from './errors.ts';
import { findUserByEmail, upsertEmailIdentity, type UserRow } from './users.ts';
import type { AuthContext } from './context.ts';
import type { MailType } from './outbox.ts';

export interface Pkce {
	challenge: string;
	method: 's256' | 'plain';
}

/** Reads `code_challenge(_method)` from a request body; both absent means the implicit flow. */
export function readPkce(body: Record<string, unknown>): Pkce | null {
	const challenge = body.code_challenge;
	const method = body.code_challenge_method;
	if ((challenge === undefined || challenge === null || challenge === '') && !method) return null;
	if (typeof challenge !== 'string' || !challenge || typeof method !== 'string' || !method)
		throw badRequest(
			'validation_failed',
			'PKCE flow requires code_challenge_method and code_challenge'
		);
	const normalized = method.toLowerCase();
	if (normalized !== 's256' && normalized !== 'plain')
		throw badRequest('validation_failed', `code challenge method not supported: ${method}`);
	if (challenge.length < 43 || challenge.length > 128)
		throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
	return { challenge, method: normalized };
}

export interface IssuedToken {
	otp: string;
	hashedToken: string;
	actionLink: string;
	verificationType: MailType;
	redirectTo: string;
}

const COLUMNS: Record<MailType, { token: string; sentAt: string; otType: string }> = {
	signup: {
		token: 'confirmation_token',
		sentAt: 'confirmation_sent_at',
		otType: 'confirmation_token'
	},
	invite: {
		token: 'confirmation_token',
		sentAt: 'confirmation_sent_at',
		otType: 'confirmation_token'
	},
	magiclink: { token: 'recovery_token', sentAt: 'recovery_sent_at', otType: 'recovery_token' },
	recovery: { token: 'recovery_token', sentAt: 'recovery_sent_at', otType: 'recovery_token' },
	email_change: {
		token: 'email_change_token_new',
		sentAt: 'email_change_sent_at',
		otType: 'email_change_token_new'
	},
	reauthentication: {
		token: 'reauthentication_token',
		sentAt: 'reauthentication_sent_at',
		otType: 'reauthentication_token'
	}
};

/** The flow_state authentication_method GoTrue records for each mail type. */
const FLOW_METHOD: Record<MailType, string> = {
	signup: 'email/signup',
	invite: 'invite',
	magiclink: 'magiclink',
	recovery: 'recovery',
	email_change: 'email_change',
	reauthentication: 'reauthentication'
};

/**
 * Stores a fresh token of `type` for `user` and (unless `silent`, as for admin generate_link)
 * puts the mail in the outbox. For email_change, `toEmail` is the new address.
 */
export async function issueToken(
	ctx: AuthContext,
	tx: Queryable,
	user: UserRow,
	type: MailType,
	options: {
		redirectTo: string;
		pkce?: Pkce | null;
		silent?: boolean;
		/** Recipient and hash input; the user's address when omitted. */
		toEmail?: string;
		/** email_change: the address being changed to (default `toEmail`). */
		newEmail?: string;
		/** email_change: the token for the current address (admin `email_change_current`). */
		currentAddress?: boolean;
	}
): Promise<IssuedToken> {
	const email = (options.toEmail ?? user.email ?? '').toLowerCase();
	const otp = generateOtp(ctx.settings.otpLength);
	const hash = tokenHash(email, otp);
	const stored = options.pkce ? `pkce_${hash}` : hash;
	const column =
		type === 'email_change' && options.currentAddress
			? {
					token: 'email_change_token_current',
					sentAt: 'email_change_sent_at',
					otType: 'email_change_token_current'
				}
			: COLUMNS[type];
	await tx.query(
		`update auth.users set ${column.token} = $2, ${column.sentAt} = now(), updated_at = now() where id = $1`,
		[user.id, stored]
	);
	await recordOneTimeToken(tx, user.id, column.otType, stored, email);
	if (type === 'email_change') {
		await tx.query(
			`update auth.users set email_change = $2, email_change_confirm_status = 0 where id = $1`,
			[user.id, (options.newEmail ?? email).toLowerCase()]
		);
	}
	if (options.pkce) {
		await tx.query(
			`insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge,
				provider_type, authentication_method, created_at, updated_at)
			 values ($1, $2, $3, $4, $5, 'email', $6, now(), now())`,
			[
				randomUUID(),
				user.id,
				randomUUID(),
				options.pkce.method,
				options.pkce.challenge,
				FLOW_METHOD[type]
			]
		);
	}
	const link = new URL(`${ctx.stack.url}/auth/v1/verify`);
	link.searchParams.set('token', stored);
	link.searchParams.set('type', type);
	link.searchParams.set('redirect_to', options.redirectTo);
	const issued: IssuedToken = {
		otp,
		hashedToken: hash,
		actionLink: link.toString(),
		verificationType: type,
		redirectTo: options.redirectTo
	};
	if (!options.silent) {
		ctx.outbox.send({
			to: email,
			type,
			otp,
			token_hash: hash,
			action_link: issued.actionLink,
			redirect_to: options.redirectTo
		});
	}
	return issued;
}

/** Secure email change: the current address gets its own code (double_confirm_changes). */
export async function issueCurrentEmailToken(
	ctx: AuthContext,
	tx: Queryable,
	user: UserRow,
	redirectTo: string
): Promise<void> {
	const email = (user.email ?? '').toLowerCase();
	const otp = generateOtp(ctx.settings.otpLength);
	const hash = tokenHash(email, otp);
	await tx.query(`update auth.users set email_change_token_current = $2 where id = $1`, [
		user.id,
		hash
	]);
	await recordOneTimeToken(tx, user.id, 'email_change_token_current', hash, email);
	const link = new URL(`${ctx.stack.url}/auth/v1/verify`);
	link.searchParams.set('token', hash);
	link.searchParams.set('type', 'email_change');
	link.searchParams.set('redirect_to', redirectTo);
	ctx.outbox.send({
		to: email,
		type: 'email_change',
		otp,
		token_hash: hash,
		action_link: link.toString(),
		redirect_to: redirectTo
	});
}

async function recordOneTimeToken(
	tx: Queryable,
	userId: string,
	type: string,
	hash: string,
	relatesTo: string
): Promise<void> {
	await tx.query(
		`insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, now(), now())
		 on conflict (user_id, token_type) do update
		 set token_hash = excluded.token_hash, relates_to = excluded.relates_to, updated_at = now()`,
		[randomUUID(), userId, type, hash, relatesTo]
	);
}

const VERIFY_TYPES = [
	'signup',
	'invite',
	'magiclink',
	'recovery',
	'email_change',
	'email'
] as const;
export type VerifyType = (typeof VERIFY_TYPES)[number];

/** The `type` of a /verify request; phone types are refused (no SMS locally). */
export function readVerifyType(value: unknown): VerifyType {
	if (typeof value === 'string' && (VERIFY_TYPES as readonly string[]).includes(value))
		return value as VerifyType;
	if (value === 'sms' || value === 'phone_change')
		throw unprocessable(
			'phone_provider_disabled',
			'Phone verification is not supported by the local stack'
		);
	throw badRequest('validation_failed', `Verify requires a verification type`);
}

export const OTP_EXPIRED = () => forbidden('otp_expired', 'Token has expired or is invalid');
export const LINK_EXPIRED = () => forbidden('otp_expired', 'Email link is invalid or has expired');

export interface VerifiedToken {
	user: UserRow;
	/** The concrete type after resolving `email` (signup or magiclink). */
	type: Exclude<VerifyType, 'email'>;
	pkce: boolean;
	/** Email change waiting for the other address' confirmation: no session yet. */
	pendingEmailChange?: boolean;
}

/** Candidate columns to look a token up in, per requested type. */
function columnsFor(
	type: VerifyType
): { column: string; sentAt: string; as: Exclude<VerifyType, 'email'> }[] {
	switch (type) {
		case 'signup':
		case 'invite':
			return [{ column: 'confirmation_token', sentAt: 'confirmation_sent_at', as: type }];
		case 'magiclink':
		case 'recovery':
			return [{ column: 'recovery_token', sentAt: 'recovery_sent_at', as: type }];
		case 'email':
			return [
				{ column: 'confirmation_token', sentAt: 'confirmation_sent_at', as: 'signup' },
				{ column: 'recovery_token', sentAt: 'recovery_sent_at', as: 'magiclink' }
			];
		case 'email_change':
			return [
				{ column: 'email_change_token_new', sentAt: 'email_change_sent_at', as: 'email_change' },
				{ column: 'email_change_token_current', sentAt: 'email_change_sent_at', as: 'email_change' }
			];
	}
}

/**
 * Finds the user a token belongs to and applies the verification's effect (confirm the address,
 * clear the token, apply an email change). `hash` is the plain hex hash or the stored `pkce_` form.
 */
export async function consumeToken(
	ctx: AuthContext,
	tx: Queryable,
	type: VerifyType,
	lookup: { hash: string } | { email: string; otp: string }
): Promise<VerifiedToken> {
	// An empty hash would match every user whose token column is ''.
	if ('hash' in lookup ? !lookup.hash.replace(/^pkce_/, '') : !lookup.otp || !lookup.email)
		throw OTP_EXPIRED();
	for (const candidate of columnsFor(type)) {
		let user: UserRow | null = null;
		let storedValue = '';
		if ('hash' in lookup) {
			const plain = lookup.hash.replace(/^pkce_/, '');
			const { rows } = await tx.query<UserRow>(
				`select * from auth.users where ${candidate.column} in ($1, $2) and deleted_at is null limit 1`,
				[plain, `pkce_${plain}`]
			);
			user = rows[0] ?? null;
			storedValue = user
				? String((user as unknown as Record<string, unknown>)[candidate.column])
				: '';
		} else {
			const email = lookup.email.toLowerCase();
			const byEmail =
				candidate.column === 'email_change_token_new'
					? ((
							await tx.query<UserRow>(
								'select * from auth.users where email_change = $1 and deleted_at is null limit 1',
								[email]
							)
						).rows[0] ?? null)
					: await findUserByEmail(tx, email);
			const stored = byEmail
				? String((byEmail as unknown as Record<string, unknown>)[candidate.column] ?? '')
				: '';
			if (
				byEmail &&
				stored &&
				sameSecret(stored.replace(/^pkce_/, ''), tokenHash(email, lookup.otp))
			) {
				user = byEmail;
				storedValue = stored;
			}
		}
		if (!user || !storedValue) continue;
		const sentAt = (user as unknown as Record<string, unknown>)[candidate.sentAt] as Date | null;
		if (!sentAt || new Date(sentAt).getTime() + ctx.settings.otpExpiry * 1000 < Date.now()) {
			throw OTP_EXPIRED();
		}
		const pkce = storedValue.startsWith('pkce_');
		if (candidate.as === 'email_change') {
			return applyEmailChange(tx, user, candidate.column, pkce);
		}
		if (candidate.as === 'signup' || candidate.as === 'invite') {
			await tx.query(
				`update auth.users set confirmation_token = '', email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() where id = $1`,
				[user.id]
			);
			await tx.query(
				`delete from auth.one_time_tokens where user_id = $1 and token_type = 'confirmation_token'`,
				[user.id]
			);
		} else {
			await tx.query(
				`update auth.users set recovery_token = '', email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() where id = $1`,
				[user.id]
			);
			await tx.query(
				`delete from auth.one_time_tokens where user_id = $1 and token_type = 'recovery_token'`,
				[user.id]
			);
		}
		if (user.email) await upsertEmailIdentity(tx, user.id, user.email, {}, true);
		return { user, type: candidate.as, pkce };
	}
	throw OTP_EXPIRED();
}

async function applyEmailChange(
	tx: Queryable,
	user: UserRow,
	column: string,
	pkce: boolean
): Promise<VerifiedToken> {
	const other =
		column === 'email_change_token_new' ? 'email_change_token_current' : 'email_change_token_new';
	const otherValue = (user as unknown as Record<string, unknown>)[other];
	if (typeof otherValue === 'string' && otherValue !== '') {
		await tx.query(
			`update auth.users set ${column} = '', email_change_confirm_status = 1, updated_at = now() where id = $1`,
			[user.id]
		);
		return { user, type: 'email_change', pkce, pendingEmailChange: true };
	}
	const newEmail = user.email_change;
	if (!newEmail) throw OTP_EXPIRED();
	const { rows: taken } = await tx.query('select 1 from auth.users where email = $1 and id <> $2', [
		newEmail,
		user.id
	]);
	if (taken.length)
		throw unprocessable(
			'email_exists',
			'A user with this email address has already been registered'
		);
	await tx.query(
		`update auth.users set email = email_change, email_change = '', email_change_token_new = '',
			email_change_token_current = '', email_change_confirm_status = 0,
			email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now(),
			-- an anonymous user who confirmed an address is a permanent email user now
			raw_app_meta_data = case when is_anonymous
				then coalesce(raw_app_meta_data, '{}'::jsonb) || '{"provider":"email","providers":["email"]}'::jsonb
				else raw_app_meta_data end,
			is_anonymous = false
		 where id = $1`,
		[user.id]
	);
	await tx.query(
		`delete from auth.one_time_tokens where user_id = $1 and token_type in ('email_change_token_new', 'email_change_token_current')`,
		[user.id]
	);
	await upsertEmailIdentity(tx, user.id, newEmail, {}, true);
	return { user, type: 'email_change', pkce };
}

interface FlowStateRow {
	id: string;
	user_id: string;
	auth_code: string;
	code_challenge_method: 's256' | 'plain';
	code_challenge: string;
	authentication_method: string;
	auth_code_issued_at: Date | null;
}

/** Marks the newest flow of `user` for `type` as verified and returns its auth code (GET /verify). */
export async function issueAuthCode(
	tx: Queryable,
	userId: string,
	type: MailType
): Promise<string> {
	const { rows } = await tx.query<FlowStateRow>(
		`select * from auth.flow_state where user_id = $1 and authentication_method = $2
		 order by created_at desc limit 1`,
		[userId, FLOW_METHOD[type]]
	);
	if (!rows[0]) throw notFound('flow_state_not_found', 'no valid flow state found for this token');
	await tx.query(
		'update auth.flow_state set auth_code_issued_at = now(), updated_at = now() where id = $1',
		[rows[0].id]
	);
	return rows[0].auth_code;
}

/** grant_type=pkce: checks the verifier against the stored challenge and consumes the flow. */
export async function redeemAuthCode(
	ctx: AuthContext,
	tx: Queryable,
	authCode: string,
	verifier: string
): Promise<{ userId: string; method: string }> {
	const { rows } = await tx.query<FlowStateRow>(
		'select * from auth.flow_state where auth_code = $1 and auth_code_issued_at is not null',
		[authCode]
	);
	const flow = rows[0];
	if (!flow)
		throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
	const issuedAt = new Date(flow.auth_code_issued_at as Date).getTime();
	if (issuedAt + ctx.settings.flowStateExpiry * 1000 < Date.now()) {
		await tx.query('delete from auth.flow_state where id = $1', [flow.id]);
		throw new AuthError(422, 'flow_state_expired', 'invalid flow state, flow state has expired');
	}
	const computed = flow.code_challenge_method === 's256' ? s256(verifier) : verifier;
	if (!sameSecret(computed, flow.code_challenge))
		throw badRequest(
			'bad_code_verifier',
			'code challenge does not match previously saved code verifier'
		);
	await tx.query('delete from auth.flow_state where id = $1', [flow.id]);
	return { userId: flow.user_id, method: flow.authentication_method };
}
