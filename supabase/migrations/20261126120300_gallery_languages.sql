-- The languages the texts of published pieces are written in, with how many pieces have each:
-- the gallery's caption-language filter offers exactly these (participants write in ~40
-- languages, not only the five of the interface). SECURITY INVOKER, so Row Level Security
-- decides which texts are counted; the explicit status filter keeps staff, who can read
-- unpublished texts, on the same list as the public.
create function public.gallery_languages()
returns table (language public.language_tag, pieces bigint)
language sql
stable
security invoker
set search_path = ''
as $$
	select t.language, count(distinct t.piece_id)
	from public.piece_texts t
	join public.pieces p on p.id = t.piece_id
	where p.status = 'published'
	group by t.language
	order by count(distinct t.piece_id) desc, t.language
$$;

revoke all on function public.gallery_languages() from public;
grant execute on function public.gallery_languages() to anon, authenticated, service_role;
