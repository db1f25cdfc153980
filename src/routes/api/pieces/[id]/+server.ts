import type { RequestHandler } from '@sveltejs/kit';
import { emptyStory } from '#lib/richtext/schema.ts';
import { ensureDraft } from '#lib/server/pieces/drafts.ts';
import { isPieceError } from '#lib/server/pieces/errors.ts';
import { isUuid } from '#lib/server/pieces/photos.ts';
import { saveText } from '#lib/server/pieces/texts.ts';

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * A piece kept offline on the participant's phone arrives: `PUT` with the browser's own id makes
 * the draft and saves its title and caption; the same `PUT` again answers 200 with what is there,
 * so a retry after a lost answer or a 5xx never makes a second piece. JSON endpoints are outside
 * SvelteKit's form CSRF check, so the Origin is checked here.
 */
export const PUT: RequestHandler = async ({ request, params, locals, url }) => {
	if (request.headers.get('origin') !== url.origin) {
		return Response.json({ code: 'piece_forbidden' }, { status: 403 });
	}
	const { user } = await locals.safeGetSession();
	if (!user) return Response.json({ code: 'piece_signed_out' }, { status: 401 });
	if (!isUuid(params.id)) return Response.json({ code: 'piece_not_found' }, { status: 404 });
	let body: Record<string, unknown>;
	try {
		body = await request.json();
	} catch {
		return Response.json({ code: 'piece_upload_invalid' }, { status: 400 });
	}
	try {
		const language = text(body.language);
		const draft = await ensureDraft(
			locals.supabase,
			user.id,
			text(body.workshop),
			language,
			params.id
		);
		if (!draft) return Response.json({ code: 'piece_language_invalid' }, { status: 400 });
		if (!draft.created) {
			// Sent before: its text arrived too, unless that first request failed in between.
			const { data, error } = await locals.supabase
				.from('piece_texts')
				.select('language')
				.eq('piece_id', draft.id)
				.eq('language', language);
			if (error) throw error;
			if (data.length > 0 || !text(body.title)) {
				return Response.json({ id: draft.id }, { status: 200 });
			}
		}
		const code = await saveText(
			locals.supabase,
			user.id,
			draft.id,
			{
				language,
				title: text(body.title),
				caption: text(body.caption),
				alt: {},
				story: { ok: true, doc: emptyStory() },
				provenance: 'original'
			},
			false
		);
		// The piece stays (a draft without a title): the participant fixes the text while editing.
		const status = draft.created ? 201 : 200;
		if (code) return Response.json({ id: draft.id, code }, { status });
		return Response.json({ id: draft.id }, { status });
	} catch (error) {
		if (isPieceError(error)) {
			return Response.json({ code: error.code }, { status: error.status });
		}
		throw error;
	}
};
