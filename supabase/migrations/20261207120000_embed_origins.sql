-- Site-wide settings (one row), first of them the origins allowed to frame the embed pages
-- (`Content-Security-Policy: frame-ancestors 'self' <origins>`, src/lib/server/embed). The list is
-- public by nature: every embed response names it in its CSP header. Admins change it; the check
-- below holds each entry to a bare origin, so nothing else can reach the header.

-- An origin as the CSP header may carry it: https (http only for loopback hosts, for local
-- development and tests), a lower-case host (IDNs in their xn-- form), an optional port, no path,
-- no wildcard, nothing else.
create function private.is_embed_origin(p_origin text) returns boolean
language sql
immutable
set search_path = ''
as $$
	select p_origin ~ '^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$'
		or p_origin ~ '^http://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?$'
$$;

create function private.is_embed_origin_list(p_origins text[]) returns boolean
language sql
immutable
set search_path = ''
as $$
	select coalesce(pg_catalog.array_ndims(p_origins), 1) = 1
		and pg_catalog.cardinality(p_origins) <= 20
		and not exists (
			select 1 from pg_catalog.unnest(p_origins) o
			where o is null or not private.is_embed_origin(o)
		)
		and pg_catalog.cardinality(p_origins) = (
			select pg_catalog.count(distinct o) from pg_catalog.unnest(p_origins) o
		)
$$;

create table public.site_settings (
	-- Exactly one row.
	id boolean primary key default true check (id),
	embed_origins text[] not null default '{}'
		constraint site_settings_embed_origins_check check (private.is_embed_origin_list(embed_origins)),
	updated_at timestamptz not null default now()
);
alter table public.site_settings enable row level security;
revoke all on public.site_settings from anon, authenticated;
-- Every column is public (the Data API reads whole rows back after an update).
grant select on public.site_settings to anon, authenticated;
grant update (embed_origins) on public.site_settings to authenticated;
grant select, update on public.site_settings to service_role;

create policy site_settings_select on public.site_settings for select to anon, authenticated
	using (true);
create policy site_settings_update on public.site_settings for update to authenticated
	using ((select private.is_admin())) with check ((select private.is_admin()));

create function private.stamp_site_settings() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	new.updated_at := now();
	return new;
end
$$;

create trigger site_settings_stamp before update on public.site_settings
	for each row execute function private.stamp_site_settings();

insert into public.site_settings (id) values (true);

revoke all on function private.is_embed_origin(text), private.is_embed_origin_list(text[]),
	private.stamp_site_settings() from public, anon, authenticated;
-- The check constraint runs with the writer's privileges.
grant execute on function private.is_embed_origin(text), private.is_embed_origin_list(text[])
	to authenticated, service_role;
grant execute on function private.stamp_site_settings() to authenticated, service_role;

-- A changed list must reach the embed pages every instance keeps in its page cache.
create trigger site_settings_bump_page_cache
	after update on public.site_settings
	for each row
	execute function private.bump_page_cache_after_piece_change();
