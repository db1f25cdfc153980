-- Core schema of connecting-thread: profiles, staff, workshops, pieces and everything hanging off
-- them. Access rules live in the next migration; state changes go through the checked functions
-- after that. Written to run unchanged on hosted Supabase (`supabase db push`, Postgres 15+) and
-- on the local stack (PGlite / Postgres): extensions live in `extensions`, nothing relies on
-- default privileges, and every grant to the Data API roles is explicit.

create extension if not exists pgcrypto with schema extensions;
create extension if not exists unaccent with schema extensions;

-- Helpers that policies and triggers call. Not in the API's exposed schemas, so none of them is an
-- RPC endpoint; EXECUTE is granted function by function.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

-- Postgres grants EXECUTE on new functions to PUBLIC; we grant it explicitly instead.
alter default privileges in schema public revoke execute on functions from public;
alter default privileges in schema private revoke execute on functions from public;

-- Languages the gallery is written and browsed in (UI and content). Extend with `add value`.
create type public.language_code as enum ('de', 'en', 'uk', 'ar', 'fa');
-- The language of what a participant wrote: any BCP 47 tag (they write in some forty languages,
-- not only in the five UI languages), lower-case language subtag first, e.g. 'uk', 'ckb', 'pt-BR'.
create domain public.language_tag as text
	check (value ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$');
-- Only what consent rules need (GDPR Art. 8: Germany kept 16), never a birth date.
create type public.age_bracket as enum ('under_16', '16_plus');
create type public.staff_role as enum ('moderator', 'admin');
create type public.attribution_kind as enum ('display_name', 'initials', 'anonymous');
create type public.piece_status as enum (
	'draft',
	'submitted',
	'changes_requested',
	'published',
	'rejected',
	'withdrawn'
);
create type public.photo_role as enum (
	'front',
	'back',
	'detail',
	'in_progress',
	'maker_with_piece',
	'other'
);
create type public.text_provenance as enum (
	'original',
	'translated_by_maker',
	'translated_by_volunteer',
	'machine_translated'
);
create type public.consent_scope as enum ('online_gallery', 'print_exhibition', 'social_media');
create type public.moderation_action as enum (
	'submit',
	'withdraw',
	'publish',
	'request_changes',
	'reject',
	'unpublish',
	'consent_withdrawn'
);
create type public.story_item_kind as enum ('piece', 'text');

-- A jsonb object keyed by UI language code with string values, e.g. {"de": "…", "uk": "…"}.
create function private.is_language_map(value jsonb) returns boolean
language sql
immutable
set search_path = ''
as $$
	select value is null or (
		pg_catalog.jsonb_typeof(value) = 'object'
		and not exists (
			select 1
			from pg_catalog.jsonb_each(value) as e(key, val)
			where e.key not in ('de', 'en', 'uk', 'ar', 'fa')
				or pg_catalog.jsonb_typeof(e.val) <> 'string'
		)
	)
$$;

-- The same keyed by any language tag (texts participants wrote, e.g. alt text in Tigrinya).
create function private.is_tag_map(value jsonb) returns boolean
language sql
immutable
set search_path = ''
as $$
	select value is null or (
		pg_catalog.jsonb_typeof(value) = 'object'
		and not exists (
			select 1
			from pg_catalog.jsonb_each(value) as e(key, val)
			where e.key !~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$'
				or pg_catalog.jsonb_typeof(e.val) <> 'string'
		)
	)
$$;

-- ---------------------------------------------------------------------------------------------
-- People

create table public.profiles (
	id uuid primary key references auth.users (id) on delete cascade,
	display_name text check (char_length(display_name) between 1 and 60),
	ui_language public.language_code not null default 'de',
	age_bracket public.age_bracket,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now()
);
comment on table public.profiles is 'One per auth user, created by a trigger on auth.users.';

-- Roles are only ever read from here, never from user_metadata (which users can edit).
create table public.staff_roles (
	user_id uuid not null references public.profiles (id) on delete cascade,
	role public.staff_role not null,
	granted_by uuid references public.profiles (id) on delete set null,
	granted_at timestamptz not null default now(),
	primary key (user_id, role)
);
create index staff_roles_granted_by_idx on public.staff_roles (granted_by);

-- ---------------------------------------------------------------------------------------------
-- Workshops

create table public.workshops (
	id uuid primary key default gen_random_uuid(),
	slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 80),
	title jsonb not null check (private.is_language_map(title) and title <> '{}'::jsonb),
	description jsonb not null default '{}'::jsonb check (private.is_language_map(description)),
	venue_name text not null check (char_length(venue_name) between 1 and 200),
	venue_address text check (char_length(venue_address) <= 300),
	city text not null default 'Dresden',
	starts_on date not null,
	ends_on date,
	joining_open boolean not null default false,
	created_by uuid references public.profiles (id) on delete set null,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	check (ends_on is null or ends_on >= starts_on)
);
create index workshops_created_by_idx on public.workshops (created_by);
create index workshops_starts_on_idx on public.workshops (starts_on desc);

-- Only a hash is stored: codes are ≥ 80 bits of entropy, so a plain SHA-256 cannot be reversed,
-- and nobody (participant or staff) can read a code back; `rotate_join_code` shows it once.
create table private.workshop_join_codes (
	id uuid primary key default gen_random_uuid(),
	workshop_id uuid not null references public.workshops (id) on delete cascade,
	code_hash bytea not null unique,
	created_by uuid references public.profiles (id) on delete set null,
	created_at timestamptz not null default now(),
	revoked_at timestamptz
);
create index workshop_join_codes_workshop_id_idx on private.workshop_join_codes (workshop_id);
create index workshop_join_codes_created_by_idx on private.workshop_join_codes (created_by);

create table public.workshop_facilitators (
	workshop_id uuid not null references public.workshops (id) on delete cascade,
	user_id uuid not null references public.profiles (id) on delete cascade,
	added_by uuid references public.profiles (id) on delete set null,
	added_at timestamptz not null default now(),
	primary key (workshop_id, user_id)
);
create index workshop_facilitators_user_id_idx on public.workshop_facilitators (user_id);
create index workshop_facilitators_added_by_idx on public.workshop_facilitators (added_by);

create table public.workshop_members (
	workshop_id uuid not null references public.workshops (id) on delete cascade,
	user_id uuid not null references public.profiles (id) on delete cascade,
	joined_at timestamptz not null default now(),
	primary key (workshop_id, user_id)
);
create index workshop_members_user_id_idx on public.workshop_members (user_id);

-- ---------------------------------------------------------------------------------------------
-- Pieces

create table public.pieces (
	id uuid primary key default gen_random_uuid(),
	-- No cascade: a workshop with pieces cannot be deleted (erase or move the pieces first).
	workshop_id uuid not null references public.workshops (id),
	maker_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
	original_language public.language_tag not null,
	attribution_kind public.attribution_kind not null default 'anonymous',
	-- What the gallery shows as the maker (their chosen name or initials), copied so the public
	-- never needs to read profiles.
	attribution_text text check (char_length(attribution_text) between 1 and 60),
	status public.piece_status not null default 'draft',
	status_changed_at timestamptz not null default now(),
	submitted_at timestamptz,
	changes_requested_at timestamptz,
	published_at timestamptz,
	rejected_at timestamptz,
	withdrawn_at timestamptz,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	check ((attribution_kind = 'anonymous') = (attribution_text is null)),
	check (status <> 'published' or published_at is not null)
);
-- Serves the workshop foreign key and the per-workshop gallery.
create index pieces_workshop_status_idx on public.pieces (workshop_id, status, published_at desc);
create index pieces_maker_id_idx on public.pieces (maker_id, status);
-- The public gallery: newest published first (keyset on published_at, id).
create index pieces_published_idx on public.pieces (published_at desc, id desc)
	where status = 'published';

create table public.piece_photos (
	id uuid primary key default gen_random_uuid(),
	piece_id uuid not null references public.pieces (id) on delete cascade,
	position smallint not null check (position >= 0),
	role public.photo_role not null default 'front',
	-- Bucket `masters`: `<maker_id>/<piece_id>/<photo_id>/master.jpg` (EXIF-scrubbed).
	master_path text not null,
	-- Derivatives in `masters`: {"avif": {"480": "<path>", …}, "webp": {…}, "jpg": {…}}.
	variants jsonb not null default '{}'::jsonb check (pg_catalog.jsonb_typeof(variants) = 'object'),
	-- Same shape, paths in the public `public-media` bucket; only while the piece is published.
	-- Written by the service role on publish, cleared by unpublish/withdraw.
	public_variants jsonb check (pg_catalog.jsonb_typeof(public_variants) = 'object'),
	width integer not null check (width > 0),
	height integer not null check (height > 0),
	placeholder text check (char_length(placeholder) <= 64),
	dominant_color text check (dominant_color ~ '^#[0-9a-f]{6}$'),
	alt_text jsonb not null default '{}'::jsonb check (private.is_tag_map(alt_text)),
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	constraint piece_photos_piece_position_key unique (piece_id, position) deferrable initially deferred
);
comment on column public.piece_photos.placeholder is 'ThumbHash, base64.';

create table public.piece_texts (
	piece_id uuid not null references public.pieces (id) on delete cascade,
	language public.language_tag not null,
	title text not null check (char_length(title) between 1 and 140),
	caption text check (char_length(caption) <= 600),
	-- Tiptap (ProseMirror) JSON, validated by the app against its node/mark allowlist.
	story jsonb check (story is null or pg_catalog.jsonb_typeof(story) = 'object'),
	provenance public.text_provenance not null default 'original',
	reviewed boolean not null default false,
	search_vector tsvector not null default ''::tsvector,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	primary key (piece_id, language)
);
create index piece_texts_search_idx on public.piece_texts using gin (search_vector);

create table public.consents (
	id uuid primary key default gen_random_uuid(),
	piece_id uuid not null references public.pieces (id) on delete cascade,
	granted_by uuid not null default auth.uid() references public.profiles (id) on delete cascade,
	scopes public.consent_scope[] not null check (cardinality(scopes) > 0),
	-- KUG §22: people recognisable in the photos, and whether they agreed.
	people_visible boolean not null,
	depicted_people_agreed boolean,
	maker_age_bracket public.age_bracket not null,
	-- GDPR Art. 8: for under-16s, a parent or guardian consents as well.
	guardian_name text check (char_length(guardian_name) between 1 and 120),
	guardian_consented_at timestamptz,
	-- The consent text exactly as shown: its version and language.
	consent_text_version text not null check (char_length(consent_text_version) between 1 and 40),
	consent_language public.language_code not null,
	granted_at timestamptz not null default now(),
	withdrawn_at timestamptz,
	check (not people_visible or depicted_people_agreed is not null),
	check ((guardian_name is null) = (guardian_consented_at is null)),
	check (withdrawn_at is null or withdrawn_at >= granted_at)
);
create index consents_piece_id_idx on public.consents (piece_id) where withdrawn_at is null;
create index consents_piece_all_idx on public.consents (piece_id, granted_at);
create index consents_granted_by_idx on public.consents (granted_by);

-- Append-only: no UPDATE/DELETE privilege for anyone, no policy for it, and a trigger refusing it.
create table public.moderation_events (
	id bigint generated always as identity primary key,
	piece_id uuid not null references public.pieces (id) on delete cascade,
	-- No foreign key: the history outlives the actor's account.
	actor_id uuid,
	action public.moderation_action not null,
	reason_codes text[] not null default '{}' check (
		reason_codes <@ array[
			'consent_unclear',
			'people_identifiable',
			'personal_data_visible',
			'off_topic',
			'harmful_content',
			'copyright',
			'image_quality',
			'text_needs_work',
			'translation_needed',
			'duplicate',
			'maker_request',
			'other'
		]::text[]
	),
	note text check (char_length(note) <= 2000),
	note_language public.language_tag,
	from_status public.piece_status not null,
	to_status public.piece_status not null,
	created_at timestamptz not null default now(),
	check (note is null or note_language is not null)
);
create index moderation_events_piece_id_idx on public.moderation_events (piece_id, created_at);
create index moderation_events_actor_id_idx on public.moderation_events (actor_id);

-- ---------------------------------------------------------------------------------------------
-- Curated stories (exhibits), themes

create table public.stories (
	id uuid primary key default gen_random_uuid(),
	slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 80),
	title jsonb not null check (private.is_language_map(title) and title <> '{}'::jsonb),
	intro jsonb not null default '{}'::jsonb check (private.is_language_map(intro)),
	cover_photo_id uuid references public.piece_photos (id) on delete set null,
	published boolean not null default false,
	published_at timestamptz,
	created_by uuid references public.profiles (id) on delete set null,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	check (not published or published_at is not null)
);
create index stories_cover_photo_id_idx on public.stories (cover_photo_id);
create index stories_created_by_idx on public.stories (created_by);
create index stories_published_idx on public.stories (published_at desc) where published;

create table public.story_items (
	id uuid primary key default gen_random_uuid(),
	story_id uuid not null references public.stories (id) on delete cascade,
	position smallint not null check (position >= 0),
	kind public.story_item_kind not null,
	piece_id uuid references public.pieces (id) on delete cascade,
	-- Per language: tiptap JSON of a text block.
	body jsonb check (body is null or pg_catalog.jsonb_typeof(body) = 'object'),
	constraint story_items_story_position_key unique (story_id, position) deferrable initially deferred,
	check (
		(kind = 'piece' and piece_id is not null and body is null)
		or (kind = 'text' and piece_id is null and body is not null)
	)
);
create index story_items_piece_id_idx on public.story_items (piece_id);

create table public.themes (
	id uuid primary key default gen_random_uuid(),
	slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 60),
	label jsonb not null check (private.is_language_map(label) and label <> '{}'::jsonb),
	created_at timestamptz not null default now()
);

create table public.piece_themes (
	piece_id uuid not null references public.pieces (id) on delete cascade,
	theme_id uuid not null references public.themes (id) on delete cascade,
	primary key (piece_id, theme_id)
);
create index piece_themes_theme_id_idx on public.piece_themes (theme_id);

-- ---------------------------------------------------------------------------------------------
-- Return tickets: a participant who joined without email returns on another device with a
-- personal code. Only its hash is stored; redeeming is a service-role operation.

create table public.return_tickets (
	id uuid primary key default gen_random_uuid(),
	user_id uuid not null references public.profiles (id) on delete cascade,
	code_hash bytea not null unique,
	created_at timestamptz not null default now(),
	last_used_at timestamptz,
	revoked_at timestamptz
);
create index return_tickets_user_id_idx on public.return_tickets (user_id);

-- Per-user quotas (uploads per hour etc.): a fixed-window counter the app bumps through
-- `private.take_quota`, so bursts get a clear error instead of filling storage.
create table private.quota_usage (
	user_id uuid not null references public.profiles (id) on delete cascade,
	bucket text not null check (bucket ~ '^[a-z_]+$'),
	window_start timestamptz not null,
	used integer not null default 0 check (used >= 0),
	primary key (user_id, bucket, window_start)
);

-- ---------------------------------------------------------------------------------------------
-- Row Level Security everywhere, before any grant.

alter table public.profiles enable row level security;
alter table public.staff_roles enable row level security;
alter table public.workshops enable row level security;
alter table private.workshop_join_codes enable row level security;
alter table public.workshop_facilitators enable row level security;
alter table public.workshop_members enable row level security;
alter table public.pieces enable row level security;
alter table public.piece_photos enable row level security;
alter table public.piece_texts enable row level security;
alter table public.consents enable row level security;
alter table public.moderation_events enable row level security;
alter table public.stories enable row level security;
alter table public.story_items enable row level security;
alter table public.themes enable row level security;
alter table public.piece_themes enable row level security;
alter table public.return_tickets enable row level security;
alter table private.quota_usage enable row level security;

-- Start from nothing whatever the project's default privileges are (legacy projects auto-grant),
-- then grant exactly what the Data API needs. Columns missing from an UPDATE grant are the ones
-- that only checked functions may change (status, owner, timestamps, public media).
revoke all on all tables in schema public from anon, authenticated, service_role;
revoke all on all tables in schema private from anon, authenticated, service_role;

grant select, insert, update, delete on all tables in schema public to service_role;
grant usage, select on all sequences in schema public to service_role;
revoke update, delete, truncate on public.moderation_events from service_role;

grant select on public.workshops, public.pieces, public.piece_photos, public.piece_texts,
	public.stories, public.story_items, public.themes, public.piece_themes to anon;

grant select on all tables in schema public to authenticated;
grant update (display_name, ui_language, age_bracket) on public.profiles to authenticated;
grant insert, delete on public.staff_roles to authenticated;
grant insert, delete on public.workshops to authenticated;
grant update (slug, title, description, venue_name, venue_address, city, starts_on, ends_on,
	joining_open) on public.workshops to authenticated;
grant insert, delete on public.workshop_facilitators to authenticated;
grant delete on public.workshop_members to authenticated;
grant insert (id, workshop_id, maker_id, original_language, attribution_kind, attribution_text)
	on public.pieces to authenticated;
grant update (original_language, attribution_kind, attribution_text) on public.pieces
	to authenticated;
grant delete on public.pieces to authenticated;
grant insert (id, piece_id, position, role, master_path, variants, width, height, placeholder,
	dominant_color, alt_text) on public.piece_photos to authenticated;
grant update (position, role, alt_text) on public.piece_photos to authenticated;
grant delete on public.piece_photos to authenticated;
grant insert (piece_id, language, title, caption, story, provenance, reviewed)
	on public.piece_texts to authenticated;
grant update (title, caption, story, provenance, reviewed) on public.piece_texts
	to authenticated;
grant delete on public.piece_texts to authenticated;
grant insert (id, piece_id, granted_by, scopes, people_visible, depicted_people_agreed,
	maker_age_bracket, guardian_name, guardian_consented_at, consent_text_version,
	consent_language) on public.consents to authenticated;
grant update (withdrawn_at) on public.consents to authenticated;
grant insert, update, delete on public.stories, public.story_items, public.themes
	to authenticated;
grant insert, delete on public.piece_themes to authenticated;
grant update (revoked_at) on public.return_tickets to authenticated;

grant select (id, workshop_id, created_by, created_at, revoked_at)
	on private.workshop_join_codes to authenticated;
grant select, insert, update, delete on private.workshop_join_codes, private.quota_usage
	to service_role;
