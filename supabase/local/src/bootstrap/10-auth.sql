-- The `auth` schema GoTrue maintains on Supabase (spec §5.4): the tables the local auth service
-- writes, stubs that generated migrations reference, and auth.uid()/role()/email()/jwt().
-- Idempotent; owned by supabase_auth_admin, which the auth service impersonates.

do $$
begin
	if not exists (select 1 from pg_type where typname = 'aal_level' and typnamespace = 'auth'::regnamespace) then
		create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
	end if;
	if not exists (select 1 from pg_type where typname = 'code_challenge_method' and typnamespace = 'auth'::regnamespace) then
		create type auth.code_challenge_method as enum ('s256', 'plain');
	end if;
	if not exists (select 1 from pg_type where typname = 'factor_type' and typnamespace = 'auth'::regnamespace) then
		create type auth.factor_type as enum ('totp', 'webauthn', 'phone');
	end if;
	if not exists (select 1 from pg_type where typname = 'factor_status' and typnamespace = 'auth'::regnamespace) then
		create type auth.factor_status as enum ('unverified', 'verified');
	end if;
	if not exists (select 1 from pg_type where typname = 'one_time_token_type' and typnamespace = 'auth'::regnamespace) then
		create type auth.one_time_token_type as enum (
			'confirmation_token', 'reauthentication_token', 'recovery_token',
			'email_change_token_new', 'email_change_token_current', 'phone_change_token'
		);
	end if;
end
$$;

create table if not exists auth.instances (
	id uuid primary key,
	uuid uuid,
	raw_base_config text,
	created_at timestamptz,
	updated_at timestamptz
);

create table if not exists auth.users (
	instance_id uuid,
	id uuid primary key,
	aud varchar(255),
	role varchar(255),
	email varchar(255),
	encrypted_password varchar(255),
	email_confirmed_at timestamptz,
	invited_at timestamptz,
	confirmation_token varchar(255),
	confirmation_sent_at timestamptz,
	recovery_token varchar(255),
	recovery_sent_at timestamptz,
	email_change_token_new varchar(255),
	email_change varchar(255),
	email_change_sent_at timestamptz,
	last_sign_in_at timestamptz,
	raw_app_meta_data jsonb,
	raw_user_meta_data jsonb,
	is_super_admin boolean,
	created_at timestamptz,
	updated_at timestamptz,
	phone text unique default null,
	phone_confirmed_at timestamptz,
	phone_change text default '',
	phone_change_token varchar(255) default '',
	phone_change_sent_at timestamptz,
	confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
	email_change_token_current varchar(255) default '',
	email_change_confirm_status smallint default 0 check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
	banned_until timestamptz,
	reauthentication_token varchar(255) default '',
	reauthentication_sent_at timestamptz,
	is_sso_user boolean not null default false,
	deleted_at timestamptz,
	is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
alter table auth.users enable row level security;

create table if not exists auth.identities (
	provider_id text not null,
	user_id uuid not null references auth.users (id) on delete cascade,
	identity_data jsonb not null,
	provider text not null,
	last_sign_in_at timestamptz,
	created_at timestamptz,
	updated_at timestamptz,
	email text generated always as (lower(identity_data ->> 'email')) stored,
	id uuid primary key default gen_random_uuid(),
	constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);
create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);
alter table auth.identities enable row level security;

create table if not exists auth.sessions (
	id uuid primary key,
	user_id uuid not null references auth.users (id) on delete cascade,
	created_at timestamptz,
	updated_at timestamptz,
	factor_id uuid,
	aal auth.aal_level,
	not_after timestamptz,
	refreshed_at timestamp,
	user_agent text,
	ip inet,
	tag text
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
alter table auth.sessions enable row level security;

create table if not exists auth.refresh_tokens (
	instance_id uuid,
	id bigserial primary key,
	token varchar(255) unique,
	user_id varchar(255),
	revoked boolean,
	created_at timestamptz,
	updated_at timestamptz,
	parent varchar(255),
	session_id uuid references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
alter table auth.refresh_tokens enable row level security;

create table if not exists auth.flow_state (
	id uuid primary key,
	user_id uuid,
	auth_code text not null,
	code_challenge_method auth.code_challenge_method not null,
	code_challenge text not null,
	provider_type text not null,
	provider_access_token text,
	provider_refresh_token text,
	created_at timestamptz,
	updated_at timestamptz,
	authentication_method text not null,
	auth_code_issued_at timestamptz
);
create index if not exists idx_auth_code on auth.flow_state (auth_code);
alter table auth.flow_state enable row level security;

create table if not exists auth.one_time_tokens (
	id uuid primary key,
	user_id uuid not null references auth.users (id) on delete cascade,
	token_type auth.one_time_token_type not null,
	token_hash text not null check (char_length(token_hash) > 0),
	relates_to text not null,
	created_at timestamp without time zone not null default now(),
	updated_at timestamp without time zone not null default now()
);
create unique index if not exists one_time_tokens_user_id_token_type_key on auth.one_time_tokens (user_id, token_type);
create index if not exists one_time_tokens_token_hash_hash_idx on auth.one_time_tokens using hash (token_hash);
alter table auth.one_time_tokens enable row level security;

create table if not exists auth.audit_log_entries (
	instance_id uuid,
	id uuid primary key,
	payload json,
	created_at timestamptz,
	ip_address varchar(64) not null default ''
);
alter table auth.audit_log_entries enable row level security;

create table if not exists auth.mfa_factors (
	id uuid primary key,
	user_id uuid not null references auth.users (id) on delete cascade,
	friendly_name text,
	factor_type auth.factor_type not null,
	status auth.factor_status not null,
	created_at timestamptz not null,
	updated_at timestamptz not null,
	secret text,
	phone text,
	last_challenged_at timestamptz unique
);
alter table auth.mfa_factors enable row level security;

create table if not exists auth.mfa_challenges (
	id uuid primary key,
	factor_id uuid not null references auth.mfa_factors (id) on delete cascade,
	created_at timestamptz not null,
	verified_at timestamptz,
	ip_address inet not null,
	otp_code text
);
alter table auth.mfa_challenges enable row level security;

create table if not exists auth.mfa_amr_claims (
	session_id uuid not null references auth.sessions (id) on delete cascade,
	created_at timestamptz not null,
	updated_at timestamptz not null,
	authentication_method text not null,
	id uuid primary key,
	constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method)
);
alter table auth.mfa_amr_claims enable row level security;

create table if not exists auth.schema_migrations (version varchar(255) primary key);
alter table auth.schema_migrations enable row level security;

-- Definitions as in supabase/auth migrations 20220224000811 and 20220531120530: the legacy per-claim
-- setting wins, then request.jwt.claims; nullif because a setting reset by an earlier transaction
-- of the same session reads as '' rather than NULL.
create or replace function auth.uid() returns uuid
language sql stable
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.sub', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
	)::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.role', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
	)::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.email', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
	)::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim', true), ''),
		nullif(current_setting('request.jwt.claims', true), '')
	)::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to public;

do $$
declare
	t record;
begin
	for t in
		-- serial sequences follow their table
		select c.oid::regclass as name from pg_class c
		where c.relnamespace = 'auth'::regnamespace and c.relkind = 'r'
	loop
		execute format('alter table %s owner to supabase_auth_admin', t.name);
	end loop;
	for t in
		select p.oid::regprocedure as name from pg_proc p where p.pronamespace = 'auth'::regnamespace
	loop
		execute format('alter function %s owner to supabase_auth_admin', t.name);
	end loop;
	for t in
		select ty.oid::regtype as name from pg_type ty
		where ty.typnamespace = 'auth'::regnamespace and ty.typtype = 'e'
	loop
		execute format('alter type %s owner to supabase_auth_admin', t.name);
	end loop;
end
$$;

grant all on all tables in schema auth to supabase_auth_admin, postgres, dashboard_user;
grant all on all sequences in schema auth to supabase_auth_admin, postgres, dashboard_user;
grant all on all routines in schema auth to supabase_auth_admin, postgres, dashboard_user;
-- The API roles see nothing in auth but its functions (apps expose users through definer functions).
revoke all on all tables in schema auth from anon, authenticated, service_role;
