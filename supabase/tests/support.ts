/**
 * Shared fixtures for the database suites: the seed's fixed ids, the audiences the access rules
 * are designed for, and a way to run SQL as one of them the way the Data API does (`set local
 * role` + `request.jwt.claims`) inside a transaction that is always rolled back.
 */
import type { Queryable } from '../local/src/core/db.ts';
import { asPgError } from '../local/src/core/db.ts';
import type { TestStack } from '../../tests/helpers/stack.ts';

const id = (group: string, n: number) => `${group}-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Fixed ids from supabase/seed.sql. */
export const SEED = {
	user: (n: number) => id('00000000', n),
	workshop: (n: number) => id('10000000', n),
	piece: (n: number) => id('20000000', n),
	photo: (piece: number, index: number) => id('30000000', piece * 10 + index),
	theme: (n: number) => id('40000000', n),
	story: (n: number) => id('50000000', n)
};

export const USERS = {
	admin: SEED.user(1),
	moderator: SEED.user(2),
	facilitatorJohannstadt: SEED.user(3),
	participant: SEED.user(4),
	facilitatorNeustadt: SEED.user(5),
	olena: SEED.user(11),
	rasha: SEED.user(12),
	maryam: SEED.user(13),
	karin: SEED.user(14),
	zahra: SEED.user(19)
};

export const WORKSHOPS = {
	johannstadt: SEED.workshop(1),
	neustadt: SEED.workshop(2),
	prohlis: SEED.workshop(3)
};

/** Seed pieces the suites rely on (see seed.sql). */
export const PIECES = {
	/** Published, workshop Johannstadt, by Olena. */
	publishedJohannstadt: SEED.piece(1),
	/** Published, workshop Neustadt, by Maryam (participant B). */
	publishedNeustadt: SEED.piece(3),
	/** Submitted, workshop Johannstadt, by Olena, with consent. */
	submittedJohannstadt: SEED.piece(25),
	/** Submitted, workshop Neustadt, by Rasha, with consent. */
	submittedNeustadt: SEED.piece(27),
	/** Changes requested, workshop Johannstadt, by the demo participant (A). */
	changesRequestedOfA: SEED.piece(28),
	/** Draft of the demo participant (A), no consent. */
	draftOfA: SEED.piece(29)
};

export type Audience =
	| 'anon'
	| 'participantA'
	| 'participantB'
	| 'anonymousParticipant'
	| 'facilitatorOfThis'
	| 'facilitatorOfOther'
	| 'moderator'
	| 'admin';

/**
 * "This" workshop is Johannstadt throughout. Participant A (demo participant) and the anonymous
 * sign-in Zahra are members of it; participant B (Maryam) only of Neustadt.
 */
export const AUDIENCES: Record<Audience, { sub: string | null; anonymous: boolean }> = {
	anon: { sub: null, anonymous: false },
	participantA: { sub: USERS.participant, anonymous: false },
	participantB: { sub: USERS.maryam, anonymous: false },
	anonymousParticipant: { sub: USERS.zahra, anonymous: true },
	facilitatorOfThis: { sub: USERS.facilitatorJohannstadt, anonymous: false },
	facilitatorOfOther: { sub: USERS.facilitatorNeustadt, anonymous: false },
	moderator: { sub: USERS.moderator, anonymous: false },
	admin: { sub: USERS.admin, anonymous: false }
};

export const ALL_AUDIENCES = Object.keys(AUDIENCES) as Audience[];

/** Who runs a statement: an audience from the matrix, any user id, or the service role. */
export type Caller = Audience | { sub: string; anonymous?: boolean } | 'service_role';

/** The claims a GoTrue access token carries, as PostgREST hands them to Postgres. */
export function claimsFor(caller: Caller): { role: string; claims: Record<string, unknown> } {
	if (caller === 'service_role') return { role: 'service_role', claims: { role: 'service_role' } };
	const who = typeof caller === 'string' ? AUDIENCES[caller] : { anonymous: false, ...caller };
	if (!who.sub) return { role: 'anon', claims: { role: 'anon' } };
	return {
		role: 'authenticated',
		claims: {
			sub: who.sub,
			role: 'authenticated',
			aud: 'authenticated',
			is_anonymous: who.anonymous,
			aal: 'aal1',
			app_metadata: {},
			user_metadata: {}
		}
	};
}

/** Switches the current transaction to the caller, like PostgREST does per request. */
export async function impersonate(tx: Queryable, caller: Caller): Promise<void> {
	const { role, claims } = claimsFor(caller);
	await tx.query(
		`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
			set_config('search_path', 'public, extensions', true)`,
		[role, JSON.stringify(claims)]
	);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

class Rollback<T> {
	constructor(readonly outcome: Outcome<T>) {}
}

/**
 * Runs `fn` as `caller` in a transaction that is rolled back afterwards, so suites never change the
 * seed for each other. `setup` runs first as the database owner in the same transaction. Postgres
 * errors come back as `{ ok: false, code }` instead of throwing.
 */
export async function attempt<T>(
	stack: TestStack,
	caller: Caller,
	fn: (tx: Queryable) => Promise<T>,
	setup?: string
): Promise<Outcome<T>> {
	try {
		await stack.db.transaction(async (tx) => {
			if (setup) await tx.exec(setup);
			await impersonate(tx, caller);
			let outcome: Outcome<T>;
			try {
				outcome = { ok: true, value: await fn(tx) };
			} catch (error) {
				const pg = asPgError(error);
				if (!pg) throw error;
				outcome = { ok: false, code: pg.code, message: pg.message };
			}
			throw new Rollback(outcome);
		});
	} catch (error) {
		if (error instanceof Rollback) return error.outcome as Outcome<T>;
		throw error;
	}
	throw new Error('unreachable: the transaction always rolls back');
}

/** Rows a statement returned (or 0 when it failed), for deny-or-allow checks. */
export async function rowsAs(
	stack: TestStack,
	caller: Caller,
	sql: string,
	setup?: string
): Promise<Outcome<number>> {
	return attempt(stack, caller, async (tx) => (await tx.query(sql)).rows.length, setup);
}

/** Runs SQL as the database owner and commits (for suites that need durable state). */
export async function asOwner(stack: TestStack, sql: string): Promise<void> {
	await stack.db.exec(sql);
}
