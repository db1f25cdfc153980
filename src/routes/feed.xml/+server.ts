import { m } from '#lib/paraglide/messages.js';
import { localizeHref } from '#lib/i18n/href.ts';
import { publicCacheHeaders } from '#lib/server/gallery/cache.ts';
import { latestPieces, xml } from '#lib/server/gallery/feeds.ts';
import type { RequestHandler } from './$types';

/** Atom feed of newly published pieces, in the reader's UI language where a piece has it. */
export const GET: RequestHandler = async ({ locals, url }) => {
	const pieces = await latestPieces(locals.supabase, locals.locale);
	const self = new URL(localizeHref('/feed.xml'), url.origin).href;
	const gallery = new URL(localizeHref('/gallery'), url.origin).href;
	const updated = pieces[0]?.publishedAt ?? '2026-01-01T00:00:00Z';
	const entries = pieces.map((piece) => {
		const link = new URL(localizeHref(`/pieces/${piece.id}`), url.origin).href;
		const text = piece.shown;
		const image = piece.photos[0]?.largest;
		const content = `${text.caption ? `<p>${xml(text.caption)}</p>` : ''}${
			image ? `<p><img src="${xml(image)}" alt=""/></p>` : ''
		}`;
		return `<entry xml:lang="${xml(text.language)}">
<id>urn:uuid:${piece.id}</id>
<title>${xml(text.title)}</title>
<link rel="alternate" type="text/html" href="${xml(link)}"/>
<published>${xml(new Date(piece.publishedAt ?? updated).toISOString())}</published>
<updated>${xml(new Date(piece.publishedAt ?? updated).toISOString())}</updated>
<author><name>${xml(piece.attribution ?? m.gallery_attribution_anonymous())}</name></author>
${text.caption ? `<summary>${xml(text.caption)}</summary>` : ''}
<content type="html">${xml(content)}</content>
</entry>`;
	});
	const body = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${locals.locale}">
<id>${xml(self)}</id>
<title>${xml(`${m.site_name()} · ${m.gallery_feed_title()}`)}</title>
<subtitle>${xml(m.gallery_intro())}</subtitle>
<link rel="self" type="application/atom+xml" href="${xml(self)}"/>
<link rel="alternate" type="text/html" href="${xml(gallery)}"/>
<updated>${xml(new Date(updated).toISOString())}</updated>
${entries.join('\n')}
</feed>
`;
	return new Response(body, {
		headers: { 'content-type': 'application/atom+xml; charset=utf-8', ...publicCacheHeaders(body) }
	});
};
