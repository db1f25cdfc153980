/**
 * The access matrix: every table (and storage.objects per bucket) × every audience × select,
 * insert, update, delete, with the expected outcome spelled out. "Deny" means the statement saw or
 * changed no row, or failed with 42501 (insufficient privilege / RLS violation); an insert that
 * is denied must fail with 42501 specifically, so a broken fixture cannot pass as a denial.
 * Each probe runs in its own rolled-back transaction on the seeded database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { ALL_AUDIENCES, PIECES, SEED, USERS, WORKSHOPS, rowsAs, type Audience } from './support.ts';

const STAFF_OF_THIS: Audience[] = ['facilitatorOfThis', 'moderator', 'admin'];
const STAFF_OF_OTHER: Audience[] = ['facilitatorOfOther', 'moderator', 'admin'];
const CURATORS: Audience[] = ['moderator', 'admin'];
const SIGNED_IN: Audience[] = ALL_AUDIENCES.filter((a) => a !== 'anon');

interface Target {
	/** What the row is, for test names. */
	name: string;
	/** Predicate selecting the row(s) in the table. */
	where: string;
	select: Audience[];
	update: Audience[];
	delete: Audience[];
	/** Audiences whose DELETE the rules allow but a constraint refuses (SQLSTATE). */
	deleteRefused?: { audiences: Audience[]; code: string };
}

interface TableSpec {
	/** SET clause used to probe UPDATE (a no-op change of a column the allowed audiences may set). */
	set: string;
	targets: Target[];
	/** An INSERT that the allowed audiences may run (`auth.uid()` stands for the caller). */
	insert: { sql: string; allow: Audience[] };
	/** Runs as the owner before each probe (rows to act on; rolled back with the probe). */
	setup?: string;
}

const P = PIECES;
const W = WORKSHOPS;
// Paths of voice notes (bucket `voice-notes`) in the matrix's setups.
const VOICE_PUBLISHED = `${P.publishedJohannstadt}/voice/published.ogg`;
const VOICE_SUBMITTED = `${P.submittedJohannstadt}/voice/submitted.ogg`;
const VOICE_DRAFT = `${USERS.participant}/${P.draftOfA}/draft.ogg`;

export const MATRIX: Record<string, TableSpec> = {
	'public.profiles': {
		set: 'display_name = display_name',
		targets: [
			{
				name: "participant A's profile",
				where: `id = '${USERS.participant}'`,
				select: ['participantA', ...STAFF_OF_THIS],
				update: ['participantA'],
				delete: []
			},
			{
				name: "participant B's profile",
				where: `id = '${USERS.maryam}'`,
				select: ['participantB', ...STAFF_OF_OTHER],
				update: ['participantB'],
				delete: []
			}
		],
		insert: { sql: `insert into public.profiles (id) values (gen_random_uuid())`, allow: [] }
	},
	'public.staff_roles': {
		set: 'granted_at = granted_at',
		targets: [
			{
				name: "the moderator's role",
				where: `user_id = '${USERS.moderator}'`,
				select: ['moderator', 'admin'],
				update: [],
				delete: ['admin']
			}
		],
		insert: {
			sql: `insert into public.staff_roles (user_id, role, granted_by)
				values ('${USERS.participant}', 'moderator', auth.uid())`,
			allow: ['admin']
		}
	},
	'public.workshops': {
		setup: `insert into public.workshops (id, slug, title, venue_name, starts_on)
			values ('${SEED.workshop(99)}', 'empty', '{"de": "Leer"}', 'Ort', '2026-12-01')`,
		set: 'joining_open = joining_open',
		targets: [
			{
				name: 'this workshop',
				where: `id = '${W.johannstadt}'`,
				select: ALL_AUDIENCES,
				update: ['facilitatorOfThis', 'admin'],
				delete: [],
				// Pieces keep their workshop (foreign key, no cascade): admins delete only empty ones.
				deleteRefused: { audiences: ['admin'], code: '23503' }
			},
			{
				name: 'an empty workshop',
				where: `id = '${SEED.workshop(99)}'`,
				select: ALL_AUDIENCES,
				update: ['admin'],
				delete: ['admin']
			}
		],
		insert: {
			sql: `insert into public.workshops (slug, title, venue_name, starts_on)
				values ('new-one', '{"de": "Neu"}', 'Ort', '2026-12-01')`,
			allow: ['admin']
		}
	},
	'private.workshop_join_codes': {
		set: 'revoked_at = revoked_at',
		targets: [
			{
				name: "this workshop's code",
				where: `workshop_id = '${W.johannstadt}'`,
				select: ['facilitatorOfThis', 'admin'],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into private.workshop_join_codes (workshop_id, code_hash)
				values ('${W.johannstadt}', '\\x00')`,
			allow: []
		}
	},
	'public.workshop_facilitators': {
		set: 'added_at = added_at',
		targets: [
			{
				name: "this workshop's facilitator",
				where: `workshop_id = '${W.johannstadt}' and user_id = '${USERS.facilitatorJohannstadt}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: ['admin']
			}
		],
		insert: {
			sql: `insert into public.workshop_facilitators (workshop_id, user_id)
				values ('${W.neustadt}', '${USERS.participant}')`,
			allow: ['admin']
		}
	},
	'public.workshop_members': {
		set: 'joined_at = joined_at',
		targets: [
			{
				name: "participant A's membership",
				where: `workshop_id = '${W.johannstadt}' and user_id = '${USERS.participant}'`,
				select: ['participantA', ...STAFF_OF_THIS],
				update: [],
				delete: ['participantA', 'admin']
			},
			{
				name: "participant B's membership",
				where: `workshop_id = '${W.neustadt}' and user_id = '${USERS.maryam}'`,
				select: ['participantB', ...STAFF_OF_OTHER],
				update: [],
				delete: ['participantB', 'admin']
			}
		],
		insert: {
			sql: `insert into public.workshop_members (workshop_id, user_id)
				values ('${W.prohlis}', auth.uid())`,
			allow: []
		}
	},
	'public.pieces': {
		set: 'attribution_kind = attribution_kind',
		targets: [
			{
				name: 'a published piece',
				where: `id = '${P.publishedJohannstadt}'`,
				select: ALL_AUDIENCES,
				update: [],
				delete: []
			},
			{
				name: 'a submitted piece of this workshop',
				where: `id = '${P.submittedJohannstadt}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: []
			},
			{
				name: 'a submitted piece of the other workshop',
				where: `id = '${P.submittedNeustadt}'`,
				select: STAFF_OF_OTHER,
				update: [],
				delete: []
			},
			{
				name: "participant A's piece with changes requested",
				where: `id = '${P.changesRequestedOfA}'`,
				select: ['participantA', ...STAFF_OF_THIS],
				update: ['participantA'],
				delete: []
			},
			{
				name: "participant A's draft",
				where: `id = '${P.draftOfA}'`,
				select: ['participantA'],
				update: ['participantA'],
				delete: ['participantA']
			}
		],
		insert: {
			sql: `insert into public.pieces (workshop_id, maker_id, original_language)
				values ('${W.johannstadt}', auth.uid(), 'de')`,
			allow: ['participantA', 'anonymousParticipant']
		}
	},
	'public.piece_photos': {
		set: 'alt_text = alt_text',
		targets: [
			{
				name: 'a photo of a published piece',
				where: `piece_id = '${P.publishedJohannstadt}'`,
				select: ALL_AUDIENCES,
				update: [],
				delete: []
			},
			{
				name: 'a photo of a submitted piece',
				where: `piece_id = '${P.submittedJohannstadt}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: []
			},
			{
				name: "a photo of participant A's draft",
				where: `piece_id = '${P.draftOfA}'`,
				select: ['participantA'],
				update: ['participantA'],
				delete: ['participantA']
			}
		],
		insert: {
			sql: `insert into public.piece_photos (piece_id, position, role, master_path, width, height)
				values ('${P.draftOfA}', 5, 'detail',
					auth.uid()::text || '/${P.draftOfA}/${SEED.photo(29, 5)}/master.jpg', 800, 600)`,
			allow: ['participantA']
		}
	},
	'public.piece_texts': {
		set: 'caption = caption',
		targets: [
			{
				name: 'a text of a published piece',
				where: `piece_id = '${P.publishedJohannstadt}' and language = 'uk'`,
				select: ALL_AUDIENCES,
				update: STAFF_OF_THIS,
				delete: STAFF_OF_THIS
			},
			{
				name: 'a text of a submitted piece of the other workshop',
				where: `piece_id = '${P.submittedNeustadt}'`,
				select: STAFF_OF_OTHER,
				update: STAFF_OF_OTHER,
				delete: STAFF_OF_OTHER
			},
			{
				name: "a text of participant A's draft",
				where: `piece_id = '${P.draftOfA}'`,
				select: ['participantA'],
				update: ['participantA'],
				delete: ['participantA']
			}
		],
		insert: {
			sql: `insert into public.piece_texts (piece_id, language, title)
				values ('${P.draftOfA}', 'de', 'Ohne Titel')`,
			allow: ['participantA']
		}
	},
	'public.consents': {
		set: 'withdrawn_at = now()',
		targets: [
			{
				name: 'the consent of a published piece (by Olena)',
				where: `piece_id = '${P.publishedJohannstadt}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: []
			},
			{
				name: "participant A's consent",
				where: `piece_id = '${P.changesRequestedOfA}'`,
				select: ['participantA', ...STAFF_OF_THIS],
				update: ['participantA'],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.consents (piece_id, granted_by, scopes, people_visible,
					maker_age_bracket, consent_text_version, consent_language)
				values ('${P.draftOfA}', auth.uid(), '{online_gallery}', false, '16_plus', '2026-09', 'en')`,
			allow: ['participantA']
		}
	},
	'public.moderation_events': {
		set: 'note = note',
		targets: [
			{
				name: "the events of participant A's piece",
				where: `piece_id = '${P.changesRequestedOfA}'`,
				select: ['participantA', ...STAFF_OF_THIS],
				update: [],
				delete: []
			},
			{
				name: 'the events of a piece of the other workshop',
				where: `piece_id = '${P.submittedNeustadt}'`,
				select: STAFF_OF_OTHER,
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.moderation_events (piece_id, actor_id, action, from_status, to_status)
				values ('${P.submittedJohannstadt}', auth.uid(), 'publish', 'submitted', 'published')`,
			allow: []
		}
	},
	'public.stories': {
		set: 'slug = slug',
		targets: [
			{
				name: 'a published story',
				where: `id = '${SEED.story(1)}'`,
				select: ALL_AUDIENCES,
				update: CURATORS,
				delete: CURATORS
			},
			{
				name: 'a story in preparation',
				where: `id = '${SEED.story(2)}'`,
				select: CURATORS,
				update: CURATORS,
				delete: CURATORS
			}
		],
		insert: {
			sql: `insert into public.stories (slug, title) values ('new-story', '{"en": "New"}')`,
			allow: CURATORS
		}
	},
	'public.story_items': {
		set: 'position = position',
		targets: [
			{
				name: 'an item of a published story',
				where: `story_id = '${SEED.story(1)}' and position = 1`,
				select: ALL_AUDIENCES,
				update: CURATORS,
				delete: CURATORS
			},
			{
				name: 'an item of a story in preparation',
				where: `story_id = '${SEED.story(2)}'`,
				select: CURATORS,
				update: CURATORS,
				delete: CURATORS
			}
		],
		insert: {
			sql: `insert into public.story_items (story_id, position, kind, piece_id)
				values ('${SEED.story(1)}', 9, 'piece', '${P.publishedNeustadt}')`,
			allow: CURATORS
		}
	},
	'public.themes': {
		set: 'slug = slug',
		targets: [
			{
				name: 'a theme',
				where: `id = '${SEED.theme(1)}'`,
				select: ALL_AUDIENCES,
				update: CURATORS,
				delete: CURATORS
			}
		],
		insert: {
			sql: `insert into public.themes (slug, label) values ('new-theme', '{"en": "New"}')`,
			allow: CURATORS
		}
	},
	'public.piece_themes': {
		set: 'theme_id = theme_id',
		targets: [
			{
				name: 'a theme of a published piece',
				where: `piece_id = '${P.publishedJohannstadt}'`,
				select: ALL_AUDIENCES,
				update: [],
				delete: STAFF_OF_THIS
			},
			{
				name: 'a theme of a submitted piece',
				where: `piece_id = '${P.submittedJohannstadt}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: STAFF_OF_THIS
			}
		],
		insert: {
			sql: `insert into public.piece_themes (piece_id, theme_id)
				values ('${P.draftOfA}', '${SEED.theme(3)}')`,
			allow: ['participantA']
		}
	},
	// Voice notes: read like the photos; written only by the server (service role) after validation.
	'public.piece_voice_notes': {
		setup: `insert into public.piece_voice_notes (piece_id, path, mime_type, language, duration_ms, bytes) values
		('${P.publishedJohannstadt}', '${VOICE_PUBLISHED}', 'audio/ogg', 'uk', 4000, 100),
		('${P.submittedJohannstadt}', '${VOICE_SUBMITTED}', 'audio/ogg', 'uk', 4000, 100),
		('${P.draftOfA}', '${VOICE_DRAFT}', 'audio/ogg', 'uk', 4000, 100)`,
		set: 'language = language',
		targets: [
			{
				name: 'the voice note of a published piece',
				where: `piece_id = '${P.publishedJohannstadt}'`,
				select: ALL_AUDIENCES,
				update: [],
				delete: []
			},
			{
				name: 'the voice note of a submitted piece',
				where: `piece_id = '${P.submittedJohannstadt}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: []
			},
			{
				name: "the voice note of participant A's draft",
				where: `piece_id = '${P.draftOfA}'`,
				select: ['participantA'],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.piece_voice_notes (piece_id, path, mime_type, language, duration_ms, bytes)
				values ('${P.draftOfA}', auth.uid()::text || '/x.ogg', 'audio/ogg', 'de', 1000, 10)`,
			allow: []
		}
	},
	// Staff audit log: written only by triggers; admins read all of it, staff their own entries.
	'public.staff_events': {
		setup: `insert into public.staff_events (subject_id, action) values ('${USERS.moderator}', 'invite')`,
		set: 'role = role',
		targets: [
			{
				name: 'an event about the moderator',
				where: `subject_id = '${USERS.moderator}' and action = 'invite'`,
				select: ['moderator', 'admin'],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.staff_events (subject_id, action) values (auth.uid(), 'invite')`,
			allow: []
		}
	},
	// Digest settings: read by their owner, written only through set_submission_digest().
	'public.staff_settings': {
		setup: `insert into public.staff_settings (user_id, submission_digest) values ('${USERS.moderator}', true)`,
		set: 'submission_digest = submission_digest',
		targets: [
			{
				name: "the moderator's settings",
				where: `user_id = '${USERS.moderator}'`,
				select: ['moderator'],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.staff_settings (user_id) values (auth.uid())`,
			allow: []
		}
	},
	// The project's name, funders and report period: read by moderators and admins (the funder
	// report), changed by admins only; the one row is made by the migration, never inserted again.
	'public.project_settings': {
		set: 'project_name = project_name',
		targets: [
			{
				name: 'the project settings',
				where: 'id',
				select: ['moderator', 'admin'],
				update: ['admin'],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.project_settings (id) values (true)`,
			allow: []
		}
	},
	'public.site_settings': {
		set: 'embed_origins = embed_origins',
		targets: [
			{
				name: 'the site settings',
				where: 'id',
				select: ALL_AUDIENCES,
				update: ['admin'],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.site_settings (id) values (true)`,
			allow: []
		}
	},
	'public.return_tickets': {
		setup: `insert into public.return_tickets (user_id, code_hash)
			values ('${USERS.participant}', '\\x01'), ('${USERS.zahra}', '\\x02')`,
		set: 'revoked_at = now()',
		targets: [
			{
				name: "participant A's ticket",
				where: `user_id = '${USERS.participant}'`,
				select: ['participantA'],
				update: ['participantA'],
				delete: []
			},
			{
				name: "the anonymous participant's ticket",
				where: `user_id = '${USERS.zahra}'`,
				select: ['anonymousParticipant'],
				update: ['anonymousParticipant'],
				delete: []
			}
		],
		insert: {
			sql: `insert into public.return_tickets (user_id, code_hash) values (auth.uid(), '\\x03')`,
			allow: []
		}
	},
	'private.quota_usage': {
		setup: `insert into private.quota_usage (user_id, bucket, window_start, used)
			values ('${USERS.participant}', 'uploads', now(), 3)`,
		set: 'used = used',
		targets: [
			{
				name: "participant A's usage",
				where: `user_id = '${USERS.participant}'`,
				select: ['participantA'],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into private.quota_usage (user_id, bucket, window_start)
				values (auth.uid(), 'uploads', now() - interval '1 day')`,
			allow: []
		}
	},
	// Shared by the app instances, reached only through service-role functions.
	'private.rate_buckets': {
		setup: `insert into private.rate_buckets (name, client, tokens, updated_at)
			values ('join', '203.0.113.9', 3, now())`,
		set: 'tokens = tokens',
		targets: [
			{
				name: "an address's bucket",
				where: `client = '203.0.113.9'`,
				select: [],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into private.rate_buckets (name, client, tokens, updated_at)
				values ('join', 'me', 1000, now())`,
			allow: []
		}
	},
	'private.run_leases': {
		setup: `insert into private.run_leases (key, holder, expires_at) values ('someone/upload', gen_random_uuid(), now() + interval '1 minute')`,
		set: 'expires_at = expires_at',
		targets: [
			{ name: 'a lease', where: `key = 'someone/upload'`, select: [], update: [], delete: [] }
		],
		insert: {
			sql: `insert into private.run_leases (key, holder, expires_at) values ('mine', gen_random_uuid(), now())`,
			allow: []
		}
	},
	'private.erasures': {
		setup: `insert into private.erasures (kind, subject_id) values ('account', gen_random_uuid())`,
		set: 'erased_at = erased_at',
		targets: [
			{ name: 'an erasure', where: `kind = 'account'`, select: [], update: [], delete: [] }
		],
		insert: {
			sql: `insert into private.erasures (kind, subject_id) values ('piece', auth.uid())`,
			allow: []
		}
	},
	'private.page_cache_version': {
		set: 'version = version',
		targets: [{ name: 'the version', where: 'id', select: [], update: [], delete: [] }],
		insert: { sql: `insert into private.page_cache_version (id) values (true)`, allow: [] }
	}
};

const OWN_ORIGINAL = `${USERS.participant}/upload-1`;
const MASTER_SUBMITTED = `${USERS.olena}/${P.submittedJohannstadt}/${SEED.photo(25, 0)}/master.jpg`;
const MASTER_DRAFT = `${USERS.participant}/${P.draftOfA}/${SEED.photo(29, 0)}/master.jpg`;
const PUBLIC_FILE = `0123456789abcdef0123456789abcdef/${SEED.photo(1, 0)}/w480.jpg`;

/** storage.objects per bucket; the Storage API runs exactly these statements as the caller. */
export const STORAGE_MATRIX: Record<string, TableSpec> = {
	originals: {
		set: 'metadata = metadata',
		targets: [
			{
				name: "participant A's upload",
				where: `bucket_id = 'originals' and name = '${OWN_ORIGINAL}'`,
				select: ['participantA'],
				update: ['participantA'],
				delete: ['participantA']
			}
		],
		insert: {
			sql: `insert into storage.objects (bucket_id, name, owner_id)
				values ('originals', auth.uid()::text || '/upload-2', auth.uid()::text)`,
			allow: SIGNED_IN
		}
	},
	'originals (into participant A’s folder)': {
		set: 'metadata = metadata',
		targets: [],
		insert: {
			sql: `insert into storage.objects (bucket_id, name)
				values ('originals', '${USERS.participant}/planted')`,
			allow: ['participantA']
		}
	},
	masters: {
		set: 'metadata = metadata',
		targets: [
			{
				name: 'the master of a submitted piece',
				where: `bucket_id = 'masters' and name = '${MASTER_SUBMITTED}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: []
			},
			{
				name: "the master of participant A's draft",
				where: `bucket_id = 'masters' and name = '${MASTER_DRAFT}'`,
				select: ['participantA'],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into storage.objects (bucket_id, name)
				values ('masters', auth.uid()::text || '/${P.draftOfA}/x/master.jpg')`,
			allow: []
		}
	},
	// Private recordings: the maker, and staff of the workshop once submitted; only the server writes.
	'voice-notes': {
		set: 'metadata = metadata',
		targets: [
			{
				name: 'the recording of a submitted piece',
				where: `bucket_id = 'voice-notes' and name = '${VOICE_SUBMITTED}'`,
				select: STAFF_OF_THIS,
				update: [],
				delete: []
			},
			{
				name: "the recording of participant A's draft",
				where: `bucket_id = 'voice-notes' and name = '${VOICE_DRAFT}'`,
				select: ['participantA'],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into storage.objects (bucket_id, name)
				values ('voice-notes', auth.uid()::text || '/${P.draftOfA}/planted.ogg')`,
			allow: []
		}
	},
	'public-media': {
		set: 'metadata = metadata',
		targets: [
			{
				name: 'a public derivative',
				where: `bucket_id = 'public-media' and name = '${PUBLIC_FILE}'`,
				select: [],
				update: [],
				delete: []
			}
		],
		insert: {
			sql: `insert into storage.objects (bucket_id, name) values ('public-media', 'x/y/w480.jpg')`,
			allow: []
		}
	}
};

const STORAGE_SETUP = `
	select set_config('storage.allow_delete_query', 'true', true);
	insert into storage.objects (bucket_id, name, owner_id, metadata) values
		('originals', '${OWN_ORIGINAL}', '${USERS.participant}', '{"mimetype": "image/jpeg"}'),
		('masters', '${MASTER_SUBMITTED}', null, '{"mimetype": "image/jpeg"}'),
		('masters', '${MASTER_DRAFT}', null, '{"mimetype": "image/jpeg"}'),
		('public-media', '${PUBLIC_FILE}', null, '{"mimetype": "image/jpeg"}'),
		('voice-notes', '${VOICE_SUBMITTED}', null, '{"mimetype": "audio/ogg"}'),
		('voice-notes', '${VOICE_DRAFT}', null, '{"mimetype": "audio/ogg"}');
	insert into public.piece_voice_notes (piece_id, path, mime_type, language, duration_ms, bytes) values
		('${P.publishedJohannstadt}', '${VOICE_PUBLISHED}', 'audio/ogg', 'uk', 4000, 100),
		('${P.submittedJohannstadt}', '${VOICE_SUBMITTED}', 'audio/ogg', 'uk', 4000, 100),
		('${P.draftOfA}', '${VOICE_DRAFT}', 'audio/ogg', 'uk', 4000, 100);`;

interface Probe {
	label: string;
	audience: Audience;
	allowed: boolean;
	/** Expected SQLSTATE when a constraint, not the access rules, refuses. */
	refusedWith?: string;
	op: 'select' | 'insert' | 'update' | 'delete';
	sql: string;
	setup?: string;
}

function probes(table: string, spec: TableSpec, qualified: string, setup?: string): Probe[] {
	const out: Probe[] = [];
	for (const audience of ALL_AUDIENCES) {
		for (const target of spec.targets) {
			out.push(
				{
					label: `${table}: select ${target.name}`,
					audience,
					op: 'select',
					allowed: target.select.includes(audience),
					sql: `select 1 from ${qualified} where ${target.where}`,
					setup
				},
				{
					label: `${table}: update ${target.name}`,
					audience,
					op: 'update',
					allowed: target.update.includes(audience),
					sql: `update ${qualified} set ${spec.set} where ${target.where} returning 1`,
					setup
				},
				{
					label: `${table}: delete ${target.name}`,
					audience,
					op: 'delete',
					allowed: target.delete.includes(audience),
					refusedWith: target.deleteRefused?.audiences.includes(audience)
						? target.deleteRefused.code
						: undefined,
					sql: `delete from ${qualified} where ${target.where} returning 1`,
					setup
				}
			);
		}
		out.push({
			label: `${table}: insert`,
			audience,
			op: 'insert',
			allowed: spec.insert.allow.includes(audience),
			sql: `${spec.insert.sql} returning 1`,
			setup
		});
	}
	return out;
}

const TABLE_PROBES = Object.entries(MATRIX).flatMap(([table, spec]) =>
	probes(table, spec, table, spec.setup)
);
const STORAGE_PROBES = Object.entries(STORAGE_MATRIX).flatMap(([bucket, spec]) =>
	probes(`storage.objects[${bucket}]`, spec, 'storage.objects', STORAGE_SETUP)
);

describe.each(testDbKinds())('access matrix on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('covers every table in the public and private schemas', async () => {
		const { rows } = await stack.db.query<{ name: string }>(
			`select n.nspname || '.' || c.relname as name
			 from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname in ('public', 'private') and c.relkind in ('r', 'p')
			 order by 1`
		);
		expect(rows.map((r) => r.name)).toEqual(Object.keys(MATRIX).sort());
	});

	it('covers every bucket', async () => {
		const { rows } = await stack.db.query<{ id: string }>(
			'select id from storage.buckets order by id'
		);
		const covered = new Set(Object.keys(STORAGE_MATRIX).map((key) => key.split(' ')[0]));
		expect(rows.map((r) => r.id).filter((bucket) => !covered.has(bucket))).toEqual([]);
	});

	it.each([...TABLE_PROBES, ...STORAGE_PROBES])(
		'$label as $audience → allowed: $allowed',
		async ({ audience, allowed, refusedWith, op, sql, setup }) => {
			const outcome = await rowsAs(stack, audience, sql, setup);
			if (refusedWith) {
				expect(outcome, sql).toMatchObject({ ok: false, code: refusedWith });
			} else if (allowed) {
				expect(outcome, sql).toMatchObject({ ok: true });
				if (outcome.ok) expect(outcome.value, sql).toBeGreaterThan(0);
			} else if (op === 'insert') {
				expect(outcome, sql).toMatchObject({ ok: false, code: '42501' });
			} else if (outcome.ok) {
				expect(outcome.value, sql).toBe(0);
			} else {
				expect(outcome.code, `${sql}: ${outcome.message}`).toBe('42501');
			}
		}
	);
});
