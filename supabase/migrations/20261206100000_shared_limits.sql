-- State that every app instance must share, kept in Postgres rather than in one process's memory:
-- the rate limits' token buckets, the single-run guard of photo processing, and the page cache's
-- version. With two instances behind a load balancer a limit stays one limit, an upload processed
-- on one cannot be processed again on the other, and a withdrawal empties every instance's cache.
-- Only the app's server calls these functions, with the secret key (service_role).

-- ---------------------------------------------------------------------------------------------
-- Rate limits: token buckets, one row per (limit, client). Unlogged: a crash empties them, which
-- only refills buckets, and writes skip the WAL.

create unlogged table private.rate_buckets (
	name text not null check (name ~ '^[a-z_]+$'),
	client text not null check (length(client) between 1 and 200),
	tokens double precision not null,
	updated_at timestamptz not null,
	primary key (name, client)
);
alter table private.rate_buckets enable row level security;

-- Takes one token from `p_name`'s bucket for `p_client` (an address or a user id) and says whether
-- there was one. The bucket holds `p_capacity` tokens and regains `p_refill_per_minute` a minute.
-- The row lock taken by the upsert serialises concurrent calls, so N parallel requests against a
-- bucket of N-1 tokens get exactly N-1 trues, whichever instance sends them.
create function public.take_rate_limit(
	p_name text,
	p_client text,
	p_capacity integer,
	p_refill_per_minute double precision
) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_level double precision;
begin
	if p_capacity < 1 or p_refill_per_minute < 0 then
		raise exception 'invalid rate limit rule' using errcode = '22023';
	end if;
	insert into private.rate_buckets as b (name, client, tokens, updated_at)
	values (p_name, p_client, p_capacity, clock_timestamp())
	on conflict (name, client) do update
		set tokens = least(
				p_capacity,
				b.tokens
					+ greatest(0, extract(epoch from clock_timestamp() - b.updated_at)) / 60
						* p_refill_per_minute
			),
			updated_at = clock_timestamp()
	returning tokens into v_level;
	if v_level < 1 then
		return false;
	end if;
	update private.rate_buckets set tokens = v_level - 1
	where name = p_name and client = p_client;
	return true;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- One run at a time per key (photo processing per user and upload): a lease that a second call
-- cannot take while the first holds it. The holder renews it while it runs (same token); when an
-- instance dies in the middle of a run, its lease runs out within seconds and a retry may start.

create unlogged table private.run_leases (
	key text primary key check (length(key) between 1 and 300),
	holder uuid not null,
	expires_at timestamptz not null
);
alter table private.run_leases enable row level security;

-- Takes or renews the lease on `p_key` for `p_holder`; false while another holder has it.
create function public.begin_single_run(p_key text, p_holder uuid, p_seconds integer)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
	insert into private.run_leases as l (key, holder, expires_at)
	values (p_key, p_holder, clock_timestamp() + make_interval(secs => p_seconds))
	on conflict (key) do update
		set holder = excluded.holder, expires_at = excluded.expires_at
		where l.holder = excluded.holder or l.expires_at < clock_timestamp();
	return found;
end
$$;

create function public.end_single_run(p_key text, p_holder uuid) returns void
language sql
security definer
set search_path = ''
as $$
	delete from private.run_leases where key = p_key and holder = p_holder;
$$;

-- ---------------------------------------------------------------------------------------------
-- The page cache's version: every write through the app bumps it, and so does any change to what
-- the public sees of a piece made beside the app (SQL, the dashboard, a definer function). Each
-- instance reads it before serving from its cache (at most once a second) and empties the cache
-- when it changed.

create table private.page_cache_version (
	id boolean primary key default true check (id),
	version bigint not null default 0,
	changed_at timestamptz not null default now()
);
alter table private.page_cache_version enable row level security;
insert into private.page_cache_version default values;

create function public.page_cache_version() returns bigint
language sql
stable
security definer
set search_path = ''
as $$
	select version from private.page_cache_version;
$$;

create function public.bump_page_cache_version() returns bigint
language sql
security definer
set search_path = ''
as $$
	update private.page_cache_version set version = version + 1, changed_at = now()
	returning version;
$$;

create function private.bump_page_cache_after_piece_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
	perform public.bump_page_cache_version();
	return null;
end
$$;

-- A piece entering or leaving the gallery, or a published piece changing or disappearing.
create trigger pieces_bump_page_cache
	after update or delete on public.pieces
	for each row
	when (old.status = 'published')
	execute function private.bump_page_cache_after_piece_change();
create trigger pieces_bump_page_cache_on_publish
	after update of status on public.pieces
	for each row
	when (new.status = 'published' and old.status <> 'published')
	execute function private.bump_page_cache_after_piece_change();

-- Old buckets (a bucket untouched for an hour is full again under every rule) and expired leases.
create function public.sweep_shared_limits() returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
	v_buckets integer;
	v_leases integer;
begin
	delete from private.rate_buckets where updated_at < clock_timestamp() - interval '1 hour';
	get diagnostics v_buckets = row_count;
	delete from private.run_leases where expires_at < clock_timestamp();
	get diagnostics v_leases = row_count;
	return v_buckets + v_leases;
end
$$;

revoke all on function
	public.take_rate_limit(text, text, integer, double precision),
	public.begin_single_run(text, uuid, integer), public.end_single_run(text, uuid),
	public.page_cache_version(), public.bump_page_cache_version(),
	private.bump_page_cache_after_piece_change(), public.sweep_shared_limits()
	from public, anon, authenticated;
grant execute on function
	public.take_rate_limit(text, text, integer, double precision),
	public.begin_single_run(text, uuid, integer), public.end_single_run(text, uuid),
	public.page_cache_version(), public.bump_page_cache_version(), public.sweep_shared_limits()
	to service_role;
