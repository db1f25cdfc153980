-- The `storage` schema as Supabase Storage leaves it after its tenant migrations (spec §5.5), so
-- storage policies from a project's migrations run unchanged. Idempotent: it runs on every start.

create schema if not exists storage;

do $$
begin
	if not exists (
		select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
		where n.nspname = 'storage' and t.typname = 'buckettype'
	) then
		create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
	end if;
end
$$;

create table if not exists storage.buckets (
	id text primary key,
	name text not null,
	owner uuid,
	owner_id text,
	created_at timestamptz default now(),
	updated_at timestamptz default now(),
	public boolean default false,
	avif_autodetection boolean default false,
	file_size_limit bigint,
	allowed_mime_types text[],
	type storage.buckettype not null default 'STANDARD',
	versioning_status text not null default 'DISABLED'
		check (versioning_status in ('DISABLED', 'ENABLED', 'SUSPENDED'))
);
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
	id uuid primary key default gen_random_uuid(),
	bucket_id text references storage.buckets (id),
	name text,
	owner uuid,
	owner_id text,
	created_at timestamptz default now(),
	updated_at timestamptz default now(),
	last_accessed_at timestamptz default now(),
	metadata jsonb,
	path_tokens text[] generated always as (string_to_array(name, '/')) stored,
	version text,
	user_metadata jsonb,
	archived_at timestamptz,
	is_delete_marker boolean default false,
	is_versioned boolean default false
);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);

-- Referenced by tools that inspect which storage migrations ran; nothing reads it here.
create table if not exists storage.migrations (
	id integer primary key,
	name varchar(100) unique not null,
	hash varchar(40) not null,
	executed_at timestamp default current_timestamp
);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
alter table storage.migrations enable row level security;

create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable as $$
declare
	_parts text[];
begin
	select string_to_array(name, '/') into _parts;
	return _parts[1:array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable as $$
declare
	_parts text[];
begin
	select string_to_array(name, '/') into _parts;
	return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable as $$
declare
	_parts text[];
	_filename text;
begin
	select string_to_array(name, '/') into _parts;
	select _parts[array_length(_parts, 1)] into _filename;
	return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

create or replace function storage.operation() returns text
language plpgsql stable as $$
begin
	return current_setting('storage.operation', true);
end
$$;

create or replace function storage.allow_only_operation(expected_operation text) returns boolean
language sql stable as $$
	select regexp_replace(coalesce(current_setting('storage.operation', true), ''), '^storage\.', '')
		= regexp_replace(expected_operation, '^storage\.', '');
$$;

create or replace function storage.allow_any_operation(expected_operations text[]) returns boolean
language sql stable as $$
	select regexp_replace(coalesce(current_setting('storage.operation', true), ''), '^storage\.', '')
		= any (select regexp_replace(op, '^storage\.', '') from unnest(expected_operations) as op);
$$;

create or replace function storage.get_size_by_bucket()
returns table (size bigint, bucket_id text)
language sql stable as $$
	select sum((metadata ->> 'size')::bigint)::bigint as size, bucket_id
	from storage.objects
	group by bucket_id;
$$;

-- Probes an INSERT policy the way hosted Storage does: insert, then abort with PT200.
create or replace function storage.can_insert_object(bucketid text, name text, owner uuid, metadata jsonb)
returns void language plpgsql as $$
begin
	insert into storage.objects (bucket_id, name, owner, metadata)
	values (bucketid, name, owner, metadata);
	raise sqlstate 'PT200' using message = 'ROLLBACK', detail = 'rollback successful insert';
end
$$;

-- The listing behind `list()`: immediate children of `prefix`, folders as rows without an id.
-- SECURITY INVOKER, so the caller's SELECT policies decide which objects exist.
create or replace function storage.search(
	prefix text,
	bucketname text,
	limits integer default 100,
	levels integer default 1,
	offsets integer default 0,
	search text default '',
	sortcolumn text default 'name',
	sortorder text default 'asc'
)
returns table (
	name text,
	id uuid,
	updated_at timestamptz,
	created_at timestamptz,
	last_accessed_at timestamptz,
	metadata jsonb
)
language plpgsql stable as $$
declare
	_column text := lower(coalesce(sortcolumn, 'name'));
	_order text := case when lower(coalesce(sortorder, 'asc')) = 'desc' then 'desc' else 'asc' end;
	_sort text;
begin
	if _column not in ('name', 'updated_at', 'created_at', 'last_accessed_at') then
		_column := 'name';
	end if;
	_sort := case
		when _column = 'name' then format('lower(e.name) collate "C" %s, e.name collate "C" %s', _order, _order)
		else format('(e.id is null) desc, e.%I %s nulls last, lower(e.name) collate "C" asc', _column, _order)
	end;
	return query execute format($q$
		with matched as (
			select o.*, substr(o.name, length($1) + 1) as rest
			from storage.objects o
			where o.bucket_id = $2 and starts_with(lower(o.name), lower($1 || coalesce($3, '')))
		),
		entries as (
			select split_part(m.rest, '/', 1) as name, null::uuid as id, null::timestamptz as updated_at,
				null::timestamptz as created_at, null::timestamptz as last_accessed_at, null::jsonb as metadata
			from matched m
			where position('/' in m.rest) > 0
			group by split_part(m.rest, '/', 1)
			union all
			select m.rest, m.id, m.updated_at, m.created_at, m.last_accessed_at, m.metadata
			from matched m
			where position('/' in m.rest) = 0 and m.rest <> ''
		)
		select e.name, e.id, e.updated_at, e.created_at, e.last_accessed_at, e.metadata
		from entries e
		order by %s
		limit $4 offset $5
	$q$, _sort)
	using coalesce(prefix, ''), bucketname, search, greatest(limits, 0), greatest(offsets, 0);
end
$$;

-- S3-protocol listings: present so migrations from `db pull` that mention them still apply.
create or replace function storage.list_objects_with_delimiter(
	bucket_id text,
	prefix_param text,
	delimiter_param text,
	max_keys integer default 100,
	start_after text default '',
	next_token text default ''
)
returns table (name text, id uuid, metadata jsonb, updated_at timestamptz)
language sql stable as $$
	select o.name, o.id, o.metadata, o.updated_at
	from storage.objects o
	where o.bucket_id = list_objects_with_delimiter.bucket_id
		and starts_with(o.name, prefix_param)
		and o.name > coalesce(nullif(next_token, ''), coalesce(start_after, ''))
	order by o.name collate "C"
	limit max_keys;
$$;

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql as $$
begin
	new.updated_at = now();
	return new;
end
$$;

drop trigger if exists update_objects_updated_at on storage.objects;
create trigger update_objects_updated_at
	before update on storage.objects
	for each row execute function storage.update_updated_at_column();

create or replace function storage.enforce_bucket_name_length() returns trigger
language plpgsql as $$
begin
	if length(new.name) > 100 then
		raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
	end if;
	return new;
end
$$;

drop trigger if exists enforce_bucket_name_length_trigger on storage.buckets;
create trigger enforce_bucket_name_length_trigger
	before insert or update of name on storage.buckets
	for each row execute function storage.enforce_bucket_name_length();

-- Rows and bytes must change together, so plain SQL deletes are refused; the Storage service sets
-- storage.allow_delete_query for its own transactions (storage migration 0055).
create or replace function storage.protect_delete() returns trigger
language plpgsql as $$
begin
	if coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
		raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
			using hint = 'This prevents accidental data loss from orphaned objects.',
				errcode = '42501';
	end if;
	return null;
end
$$;

drop trigger if exists protect_objects_delete on storage.objects;
create trigger protect_objects_delete
	before delete on storage.objects
	for each statement execute function storage.protect_delete();

drop trigger if exists protect_buckets_delete on storage.buckets;
create trigger protect_buckets_delete
	before delete on storage.buckets
	for each statement execute function storage.protect_delete();

grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects, storage.migrations to postgres with grant option;
grant all on all functions in schema storage to postgres, anon, authenticated, service_role;
alter default privileges in schema storage grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema storage grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema storage grant all on sequences to postgres, anon, authenticated, service_role;

do $$
declare
	item record;
begin
	if exists (select 1 from pg_roles where rolname = 'supabase_storage_admin') then
		execute 'alter schema storage owner to supabase_storage_admin';
		for item in
			select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
			where n.nspname = 'storage' and c.relkind in ('r', 'v')
		loop
			execute format('alter table storage.%I owner to supabase_storage_admin', item.relname);
		end loop;
		for item in
			select p.oid::regprocedure as signature from pg_proc p
			join pg_namespace n on n.oid = p.pronamespace
			where n.nspname = 'storage'
		loop
			execute format('alter function %s owner to supabase_storage_admin', item.signature);
		end loop;
		grant all on schema storage to supabase_storage_admin;
	end if;
end
$$;
