-- Roles, schemas and extensions every Supabase project starts with (spec §5.1, §5.2).
-- Idempotent: roles are cluster-wide on a real Postgres, where several databases share them.

do $$
declare
	spec record;
begin
	for spec in
		select * from (values
			('anon', 'nologin'),
			('authenticated', 'nologin'),
			('service_role', 'nologin noinherit bypassrls'),
			('authenticator', 'login noinherit'),
			('supabase_admin', 'nologin createrole createdb replication bypassrls'),
			('supabase_auth_admin', 'nologin noinherit createrole'),
			('supabase_storage_admin', 'nologin noinherit createrole'),
			('dashboard_user', 'nologin createrole createdb replication'),
			('supabase_realtime_admin', 'nologin noinherit'),
			('supabase_functions_admin', 'nologin noinherit createrole'),
			('supabase_replication_admin', 'nologin replication'),
			('supabase_read_only_user', 'nologin bypassrls'),
			('pgbouncer', 'nologin'),
			('postgres', 'nologin')
		) as r(name, attributes)
	loop
		if not exists (select 1 from pg_roles where rolname = spec.name) then
			begin
				execute format('create role %I %s', spec.name, spec.attributes);
			exception when duplicate_object or unique_violation then
				-- another database on the same server created it a moment ago
				null;
			end;
		end if;
	end loop;
end
$$;

-- The request roles must never bypass RLS; service_role must (spec §5.1).
do $$
begin
	if exists (select 1 from pg_roles where rolname in ('anon', 'authenticated') and (rolbypassrls or rolsuper)) then
		raise exception 'roles anon/authenticated must not be superuser or bypassrls';
	end if;
	if not (select rolbypassrls from pg_roles where rolname = 'service_role') then
		alter role service_role bypassrls;
	end if;
end
$$;

-- The authenticator pattern: the API connection role may become any request role. The session user
-- (a superuser here) may already; the grants mirror hosted memberships for code that checks them.
do $$
declare
	grant_sql text;
begin
	foreach grant_sql in array array[
		'grant anon, authenticated, service_role to authenticator',
		'grant anon, authenticated, service_role, supabase_auth_admin, supabase_storage_admin to postgres',
		'grant authenticator to supabase_storage_admin'
	]
	loop
		begin
			execute grant_sql;
		exception when others then
			-- concurrent grants of the same membership from another database: already done
			null;
		end;
	end loop;
end
$$;

create schema if not exists extensions;
create schema if not exists auth;
create schema if not exists graphql;
create schema if not exists graphql_public;
create schema if not exists realtime;
create schema if not exists vault;
create schema if not exists supabase_functions;

grant usage on schema public to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role, supabase_auth_admin, supabase_storage_admin, dashboard_user;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role, dashboard_user;
grant all on schema auth to supabase_auth_admin, postgres;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- Hosted sessions of `postgres` resolve extensions unqualified; so do ours (REST sets its own path).
do $$
begin
	execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;

do $$
begin
	if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
		create publication supabase_realtime;
	end if;
end
$$;
