/** auth.users and auth.identities rows, and their GoTrue JSON (spec §2.3). */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../core/db.ts';
import { iso } from './db.ts';

export interface UserRow {
	id: string;
	aud: string | null;
	role: string | null;
	email: string | null;
	encrypted_password: string | null;
	email_confirmed_at: Date | null;
	invited_at: Date | null;
	confirmation_token: string | null;
	confirmation_sent_at: Date | null;
	recovery_token: string | null;
	recovery_sent_at: Date | null;
	email_change_token_new: string | null;
	email_change_token_current: string | null;
	email_change: string | null;
	email_change_sent_at: Date | null;
	email_change_confirm_status: number | null;
	last_sign_in_at: Date | null;
	raw_app_meta_data: Record<string, unknown> | null;
	raw_user_meta_data: Record<string, unknown> | null;
	created_at: Date | null;
	updated_at: Date | null;
	phone: string | null;
	phone_confirmed_at: Date | null;
	confirmed_at: Date | null;
	banned_until: Date | null;
	deleted_at: Date | null;
	is_anonymous: boolean;
}

export interface IdentityRow {
	id: string;
	provider_id: string;
	user_id: string;
	identity_data: Record<string, unknown>;
	provider: string;
	last_sign_in_at: Date | null;
	created_at: Date | null;
	updated_at: Date | null;
	email: string | null;
}

/** The auth.users row with this id, soft-deleted ones included. */
export async function findUserById(tx: Queryable, id: string): Promise<UserRow | null> {
	const { rows } = await tx.query<UserRow>('select * from auth.users where id = $1', [id]);
	return rows[0] ?? null;
}

/** The live (not soft-deleted, not SSO) user with this address, matched lower-cased. */
export async function findUserByEmail(tx: Queryable, email: string): Promise<UserRow | null> {
	const { rows } = await tx.query<UserRow>(
		'select * from auth.users where email = $1 and is_sso_user = false and deleted_at is null',
		[email.toLowerCase()]
	);
	return rows[0] ?? null;
}

/** The user's identities, oldest first, as GoTrue lists them. */
export async function identitiesOf(tx: Queryable, userId: string): Promise<IdentityRow[]> {
	const { rows } = await tx.query<IdentityRow>(
		'select * from auth.identities where user_id = $1 order by created_at, id',
		[userId]
	);
	return rows;
}

export interface NewUser {
	id?: string;
	email?: string | null;
	phone?: string | null;
	passwordHash?: string | null;
	userMetadata?: Record<string, unknown>;
	appMetadata?: Record<string, unknown>;
	confirmed?: boolean;
	isAnonymous?: boolean;
	role?: string;
	aud?: string;
	invited?: boolean;
	bannedUntil?: Date | null;
}

/**
 * Inserts the user (firing the app's auth.users triggers) and, for email users, its identity,
 * then re-reads the row so trigger-made changes are returned, as GoTrue does.
 */
export async function insertUser(tx: Queryable, user: NewUser): Promise<UserRow> {
	const id = user.id ?? randomUUID();
	const email = user.email ? user.email.toLowerCase() : null;
	await tx.query(
		`insert into auth.users (
			instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, invited_at,
			raw_app_meta_data, raw_user_meta_data, created_at, updated_at, phone, is_anonymous,
			banned_until, confirmation_token, recovery_token, email_change_token_new, email_change,
			email_change_token_current, is_super_admin
		) values (
			'00000000-0000-0000-0000-000000000000', $1, $2, $3, $4, $5,
			case when $6 then now() end, case when $7 then now() end, $8, $9, now(), now(), $10, $11,
			$12, '', '', '', '', '', false
		)`,
		[
			id,
			user.aud ?? 'authenticated',
			user.role ?? 'authenticated',
			email,
			user.passwordHash ?? '',
			Boolean(user.confirmed),
			Boolean(user.invited),
			JSON.stringify(user.appMetadata ?? {}),
			JSON.stringify(user.userMetadata ?? {}),
			user.phone || null,
			Boolean(user.isAnonymous),
			user.bannedUntil ?? null
		]
	);
	if (email)
		await upsertEmailIdentity(tx, id, email, user.userMetadata ?? {}, Boolean(user.confirmed));
	const row = await findUserById(tx, id);
	if (!row) throw new Error('user vanished after insert');
	return row;
}

/** The `email` identity: provider id = user id, identity_data from GoTrue's signup (spec §2.3). */
export async function upsertEmailIdentity(
	tx: Queryable,
	userId: string,
	email: string,
	metadata: Record<string, unknown>,
	verified: boolean
): Promise<void> {
	const data: Record<string, unknown> = {
		sub: userId,
		email,
		email_verified: verified,
		phone_verified: false
	};
	for (const [key, value] of Object.entries(metadata)) if (!(key in data)) data[key] = value;
	await tx.query(
		`insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
		 values ($1, $5, $2, 'email', now(), now(), now())
		 on conflict (provider_id, provider) do update
		 set identity_data = auth.identities.identity_data || jsonb_build_object('email', $3::text, 'email_verified', $4::boolean),
		     updated_at = now()`,
		[userId, JSON.stringify(data), email, verified, userId]
	);
}

/** Merges `patch` into a metadata object; keys set to null are removed (GoTrue semantics). */
export function mergeMetadata(
	current: Record<string, unknown> | null,
	patch: Record<string, unknown>
): Record<string, unknown> {
	const out: Record<string, unknown> = { ...(current ?? {}) };
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) delete out[key];
		else out[key] = value;
	}
	return out;
}

/** Whether `banned_until` lies in the future. */
export function isBanned(user: UserRow): boolean {
	return user.banned_until !== null && new Date(user.banned_until).getTime() > Date.now();
}

/** GoTrue's User JSON: optional timestamps omitted when null, `email`/`phone` as "" when unset. */
export function userJson(user: UserRow, identities: IdentityRow[]): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id: user.id,
		aud: user.aud ?? '',
		role: user.role ?? '',
		email: user.email ?? '',
		email_confirmed_at: iso(user.email_confirmed_at),
		phone: user.phone ?? '',
		phone_confirmed_at: iso(user.phone_confirmed_at),
		confirmation_sent_at: iso(user.confirmation_sent_at),
		confirmed_at: iso(user.confirmed_at),
		recovery_sent_at: iso(user.recovery_sent_at),
		email_change_sent_at: iso(user.email_change_sent_at),
		new_email: user.email_change || undefined,
		invited_at: iso(user.invited_at),
		last_sign_in_at: iso(user.last_sign_in_at),
		app_metadata: user.raw_app_meta_data ?? {},
		user_metadata: user.raw_user_meta_data ?? {},
		identities: identities.map(identityJson),
		created_at: iso(user.created_at),
		updated_at: iso(user.updated_at),
		banned_until: iso(user.banned_until),
		deleted_at: iso(user.deleted_at),
		is_anonymous: user.is_anonymous
	};
	for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
	return out;
}

function identityJson(identity: IdentityRow): Record<string, unknown> {
	const out: Record<string, unknown> = {
		identity_id: identity.id,
		id: identity.provider_id,
		user_id: identity.user_id,
		identity_data: identity.identity_data,
		provider: identity.provider,
		last_sign_in_at: iso(identity.last_sign_in_at),
		created_at: iso(identity.created_at),
		updated_at: iso(identity.updated_at),
		email: identity.email ?? undefined
	};
	for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
	return out;
}

/** The GoTrue User JSON of `user`, with its identities read from the database. */
export async function loadUserJson(tx: Queryable, user: UserRow): Promise<Record<string, unknown>> {
	return userJson(user, await identitiesOf(tx, user.id));
}
