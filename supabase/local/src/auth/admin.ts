/**
 * GoTrue's admin API (spec §2.8 "Admin users"): /admin/users CRUD with pagination headers,
 * /admin/generate_link and /invite. Every handler first checks for an admin role token.
 */
import { randomBytes } from 'node:crypto';
import { sendJson } from '../core/http.ts';
import type { Queryable } from '../core/db.ts';
import { authTx } from './db.ts';
import { hashPassword } from './crypto.ts';
import { badRequest, notFound, unprocessable } from './errors.ts';
import { issueToken } from './otp.ts';
import { pickRedirect } from './redirect.ts';
import { isUuid, readJson, requireAdmin } from './request.ts';
import type { Call } from './routes.ts';
import {
	findUserByEmail,
	findUserById,
	identitiesOf,
	insertUser,
	loadUserJson,
	mergeMetadata,
	upsertEmailIdentity,
	userJson,
	type UserRow
} from './users.ts';
import { checkPassword, optionalString, readEmail, readObject } from './validate.ts';
import { asPgError } from '../core/db.ts';
import { AuthError } from './errors.ts';

const EMAIL_APP_METADATA = { provider: 'email', providers: ['email'] };

/** Go duration strings as GoTrue's `ban_duration` takes them ("24h", "1h30m", "none"). */
export function parseBanDuration(value: unknown): Date | null | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value === 'none') return null;
	if (typeof value !== 'string')
		throw badRequest('validation_failed', 'invalid format for ban duration');
	const units: Record<string, number> = {
		ns: 1e-6,
		us: 1e-3,
		µs: 1e-3,
		ms: 1,
		s: 1e3,
		m: 6e4,
		h: 3.6e6
	};
	let total = 0;
	let rest = value.trim();
	if (!rest) throw badRequest('validation_failed', 'invalid format for ban duration');
	while (rest) {
		const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
		if (!match) throw badRequest('validation_failed', 'invalid format for ban duration');
		total += Number(match[1]) * units[match[2]];
		rest = rest.slice(match[0].length);
	}
	return new Date(Date.now() + total);
}

async function createUserRow(call: Call, tx: Queryable, input: Parameters<typeof insertUser>[1]) {
	try {
		return await insertUser(tx, input);
	} catch (error) {
		const pg = asPgError(error);
		if (pg?.code === '23505')
			throw unprocessable(
				'email_exists',
				'A user with this email address has already been registered'
			);
		call.ctx.stack.log(
			`auth: Database error creating new user: ${pg ? `${pg.message} (${pg.code})` : String(error)}`
		);
		throw new AuthError(500, 'unexpected_failure', 'Database error creating new user');
	}
}

/** POST /admin/users */
export async function adminCreateUser(call: Call): Promise<void> {
	await requireAdmin(call.ctx, call.req);
	const body = await readJson(call.req);
	const email = body.email !== undefined && body.email !== '' ? readEmail(body.email) : undefined;
	if (optionalString(body.phone))
		throw unprocessable(
			'phone_provider_disabled',
			'Phone users are not supported by the local stack'
		);
	if (!email)
		throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
	if (body.id !== undefined && !isUuid(body.id))
		throw badRequest('validation_failed', 'id must be a UUID');
	const password = optionalString(body.password);
	if (password) checkPassword(call.ctx.settings, password);
	const passwordHashInput = optionalString(body.password_hash);
	if (passwordHashInput && !/^\$2[aby]\$\d\d\$/.test(passwordHashInput))
		throw badRequest(
			'validation_failed',
			'Invalid password hash format: only bcrypt hashes are supported locally'
		);
	const passwordHash = passwordHashInput ?? (password ? await hashPassword(password) : '');
	const userMetadata = readObject(body.user_metadata ?? body.data, 'user_metadata') ?? {};
	const appMetadata = {
		...EMAIL_APP_METADATA,
		...(readObject(body.app_metadata, 'app_metadata') ?? {})
	};
	const bannedUntil = parseBanDuration(body.ban_duration);
	const result = await authTx(call.ctx.stack.db, async (tx) => {
		if (await findUserByEmail(tx, email))
			throw unprocessable(
				'email_exists',
				'A user with this email address has already been registered'
			);
		const user = await createUserRow(call, tx, {
			id: body.id as string | undefined,
			email,
			passwordHash,
			userMetadata,
			appMetadata,
			confirmed: body.email_confirm === true,
			role: optionalString(body.role),
			aud: optionalString(body.aud),
			bannedUntil: bannedUntil ?? null
		});
		return loadUserJson(tx, user);
	});
	sendJson(call.res, 200, result);
}

/** GET /admin/users?page=&per_page= with X-Total-Count and Link headers (page first, see spec). */
export async function adminListUsers(call: Call): Promise<void> {
	await requireAdmin(call.ctx, call.req);
	const page = positive(call.url.searchParams.get('page'), 1);
	const perPage = Math.min(positive(call.url.searchParams.get('per_page'), 50), 1000);
	const { users, total } = await authTx(call.ctx.stack.db, async (tx) => {
		const { rows: count } = await tx.query<{ n: number }>(
			'select count(*)::int as n from auth.users where deleted_at is null'
		);
		const { rows } = await tx.query<UserRow>(
			`select * from auth.users where deleted_at is null
			 order by created_at desc, id limit $1 offset $2`,
			[perPage, (page - 1) * perPage]
		);
		const json = [];
		for (const row of rows) json.push(userJson(row, await identitiesOf(tx, row.id)));
		return { users: json, total: Number(count[0].n) };
	});
	const last = Math.max(1, Math.ceil(total / perPage));
	const links: string[] = [];
	if (page < last) links.push(`</admin/users?page=${page + 1}&per_page=${perPage}>; rel="next"`);
	links.push(`</admin/users?page=${last}&per_page=${perPage}>; rel="last"`);
	sendJson(
		call.res,
		200,
		{ users, aud: 'authenticated' },
		{
			'x-total-count': String(total),
			link: links.join(', ')
		}
	);
}

function positive(value: string | null, fallback: number): number {
	const n = Number(value);
	return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

async function existingUser(tx: Queryable, id: string): Promise<UserRow> {
	const user = isUuid(id) ? await findUserById(tx, id) : null;
	if (!user || user.deleted_at) throw notFound('user_not_found', 'User not found');
	return user;
}

/** GET /admin/users/{id} */
export async function adminGetUser(call: Call, id: string): Promise<void> {
	await requireAdmin(call.ctx, call.req);
	const body = await authTx(call.ctx.stack.db, async (tx) =>
		loadUserJson(tx, await existingUser(tx, id))
	);
	sendJson(call.res, 200, body);
}

/** PUT /admin/users/{id} — metadata is merged (null removes a key), as GoTrue does. */
export async function adminUpdateUser(call: Call, id: string): Promise<void> {
	await requireAdmin(call.ctx, call.req);
	const body = await readJson(call.req);
	const email = body.email !== undefined && body.email !== '' ? readEmail(body.email) : undefined;
	const password = optionalString(body.password);
	if (password) checkPassword(call.ctx.settings, password);
	const passwordHash = password ? await hashPassword(password) : undefined;
	const userMetadata = readObject(body.user_metadata ?? body.data, 'user_metadata');
	const appMetadata = readObject(body.app_metadata, 'app_metadata');
	const bannedUntil = parseBanDuration(body.ban_duration);
	const result = await authTx(call.ctx.stack.db, async (tx) => {
		const user = await existingUser(tx, id);
		if (email && email !== user.email) {
			const { rows } = await tx.query('select 1 from auth.users where email = $1 and id <> $2', [
				email,
				id
			]);
			if (rows.length)
				throw unprocessable(
					'email_exists',
					'A user with this email address has already been registered'
				);
			await tx.query('update auth.users set email = $2, updated_at = now() where id = $1', [
				id,
				email
			]);
		}
		if (passwordHash)
			await tx.query(
				'update auth.users set encrypted_password = $2, updated_at = now() where id = $1',
				[id, passwordHash]
			);
		if (userMetadata)
			await tx.query(
				'update auth.users set raw_user_meta_data = $2, updated_at = now() where id = $1',
				[id, JSON.stringify(mergeMetadata(user.raw_user_meta_data, userMetadata))]
			);
		if (appMetadata)
			await tx.query(
				'update auth.users set raw_app_meta_data = $2, updated_at = now() where id = $1',
				[id, JSON.stringify(mergeMetadata(user.raw_app_meta_data, appMetadata))]
			);
		if (bannedUntil !== undefined)
			await tx.query('update auth.users set banned_until = $2, updated_at = now() where id = $1', [
				id,
				bannedUntil
			]);
		if (body.email_confirm === true)
			await tx.query(
				'update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() where id = $1',
				[id]
			);
		if (optionalString(body.role))
			await tx.query('update auth.users set role = $2, updated_at = now() where id = $1', [
				id,
				body.role
			]);
		const fresh = (await findUserById(tx, id)) as UserRow;
		if (fresh.email && (email || body.email_confirm === true))
			await upsertEmailIdentity(tx, id, fresh.email, {}, Boolean(fresh.email_confirmed_at));
		return loadUserJson(tx, fresh);
	});
	sendJson(call.res, 200, result);
}

/** DELETE /admin/users/{id} — hard delete cascades; soft delete anonymises and keeps the row. */
export async function adminDeleteUser(call: Call, id: string): Promise<void> {
	await requireAdmin(call.ctx, call.req);
	const body = await readJson(call.req);
	await authTx(call.ctx.stack.db, async (tx) => {
		await existingUser(tx, id);
		if (body.should_soft_delete === true) {
			await tx.query(
				`update auth.users set
					email = null, phone = null, encrypted_password = '', confirmation_token = '',
					recovery_token = '', email_change_token_new = '', email_change_token_current = '',
					email_change = '', raw_user_meta_data = '{}', raw_app_meta_data = '{}',
					deleted_at = now(), updated_at = now()
				 where id = $1`,
				[id]
			);
			await tx.query('delete from auth.identities where user_id = $1', [id]);
			await tx.query('delete from auth.sessions where user_id = $1', [id]);
		} else {
			await tx.query('delete from auth.users where id = $1', [id]);
		}
	});
	sendJson(call.res, 200, {});
}

const LINK_TYPES = [
	'signup',
	'invite',
	'magiclink',
	'recovery',
	'email_change_current',
	'email_change_new'
];

/** POST /admin/generate_link — the link and code a mail would carry, without sending it. */
export async function adminGenerateLink(call: Call): Promise<void> {
	const { ctx } = call;
	await requireAdmin(ctx, call.req);
	const body = await readJson(call.req);
	const type = body.type;
	if (typeof type !== 'string' || !LINK_TYPES.includes(type))
		throw badRequest('validation_failed', 'Invalid email action link type requested');
	const email = readEmail(body.email);
	const data = readObject(body.data, 'data') ?? {};
	const password = optionalString(body.password);
	if (password) checkPassword(ctx.settings, password);
	const redirectTo = pickRedirect(
		ctx.settings,
		call.url.searchParams.get('redirect_to') ?? optionalString(body.redirect_to)
	);
	const newEmail = body.new_email !== undefined ? readEmail(body.new_email) : undefined;
	const passwordHash = await hashPassword(password ?? randomBytes(24).toString('base64url'));

	const result = await authTx(ctx.stack.db, async (tx) => {
		let user = await findUserByEmail(tx, email);
		let mailType: 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change';
		if (type === 'signup' || type === 'invite' || (type === 'magiclink' && !user)) {
			if (user?.email_confirmed_at)
				throw unprocessable(
					'email_exists',
					'A user with this email address has already been registered'
				);
			if (!user)
				user = await createUserRow(call, tx, {
					email,
					passwordHash,
					userMetadata: data,
					appMetadata: EMAIL_APP_METADATA,
					invited: type === 'invite'
				});
			mailType = type === 'invite' ? 'invite' : 'signup';
		} else if (type === 'magiclink' || type === 'recovery') {
			if (!user) throw notFound('user_not_found', 'User with this email not found');
			mailType = type;
		} else {
			if (!user) throw notFound('user_not_found', 'User with this email not found');
			if (!newEmail)
				throw badRequest(
					'validation_failed',
					'The new_email address is required for email change links'
				);
			if (type === 'email_change_current' && !ctx.settings.doubleConfirmChanges)
				throw badRequest(
					'validation_failed',
					'Enable secure email change to generate link for current email'
				);
			const { rows } = await tx.query('select 1 from auth.users where email = $1', [newEmail]);
			if (rows.length)
				throw unprocessable(
					'email_exists',
					'A user with this email address has already been registered'
				);
			mailType = 'email_change';
		}
		const issued = await issueToken(ctx, tx, user, mailType, {
			redirectTo,
			silent: true,
			toEmail: type === 'email_change_new' ? newEmail : undefined,
			newEmail,
			currentAddress: type === 'email_change_current'
		});
		const fresh = (await findUserById(tx, user.id)) as UserRow;
		return {
			...(await loadUserJson(tx, fresh)),
			action_link: issued.actionLink,
			email_otp: issued.otp,
			hashed_token: issued.hashedToken,
			verification_type: type === 'magiclink' && mailType === 'signup' ? 'signup' : type,
			redirect_to: redirectTo
		};
	});
	sendJson(call.res, 200, result);
}

/** POST /invite — creates the user (if new) and mails an invite link. */
export async function invite(call: Call): Promise<void> {
	const { ctx } = call;
	await requireAdmin(ctx, call.req);
	const body = await readJson(call.req);
	const email = readEmail(body.email);
	const data = readObject(body.data, 'data') ?? {};
	const redirectTo = pickRedirect(ctx.settings, call.url.searchParams.get('redirect_to'));
	const passwordHash = await hashPassword(randomBytes(24).toString('base64url'));
	const result = await authTx(ctx.stack.db, async (tx) => {
		let user = await findUserByEmail(tx, email);
		if (user?.email_confirmed_at)
			throw unprocessable(
				'email_exists',
				'A user with this email address has already been registered'
			);
		user ??= await createUserRow(call, tx, {
			email,
			passwordHash,
			userMetadata: data,
			appMetadata: EMAIL_APP_METADATA,
			invited: true
		});
		await issueToken(ctx, tx, user, 'invite', { redirectTo });
		return loadUserJson(tx, (await findUserById(tx, user.id)) as UserRow);
	});
	sendJson(call.res, 200, result);
}
