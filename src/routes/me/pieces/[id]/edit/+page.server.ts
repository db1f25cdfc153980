import { error, fail, redirect } from '@sveltejs/kit';
import { localizeHref } from '#lib/i18n/href.ts';
import { requireUser } from '#lib/server/auth.ts';
import { field } from '#lib/server/participant/forms.ts';
import { currentConsent, giveConsent } from '#lib/server/pieces/consent.ts';
import { submitPiece } from '#lib/server/pieces/drafts.ts';
import { isPieceError } from '#lib/server/pieces/errors.ts';
import { arrangePhotos, deletePhoto, isUuid } from '#lib/server/pieces/photos.ts';
import { saveText, setOriginalLanguage, type TextInput } from '#lib/server/pieces/texts.ts';
import { voiceNoteForReader } from '#lib/server/pieces/voice.ts';
import { readStoryFormField } from '#lib/server/richtext/index.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { Actions, PageServerLoad } from './$types';

interface PhotoRow {
	id: string;
	position: number;
	role: string;
	width: number;
	height: number;
	dominant_color: string | null;
	alt_text: Record<string, string>;
	variants: Record<string, Record<string, string>>;
}

export const load: PageServerLoad = async ({ params, locals, depends }) => {
	depends('supabase:db:piece');
	const user = await requireUser();
	if (!isUuid(params.id)) error(404, 'not found', { code: 'piece_not_found' });
	const { data: piece, error: failed } = await locals.supabase
		.from('pieces')
		.select(
			'id, maker_id, status, original_language, piece_photos(id, position, role, width, height, dominant_color, alt_text, variants), piece_texts(language, title, caption, story, provenance)'
		)
		.eq('id', params.id)
		.maybeSingle();
	if (failed) throw failed;
	if (!piece || piece.maker_id !== user.id) {
		error(404, 'not found', { code: 'piece_not_found' });
	}
	const rows = [...(piece.piece_photos as PhotoRow[])].sort((a, b) => a.position - b.position);
	const previewPaths = rows.map((row) => {
		const jpg = Object.entries(row.variants.jpg ?? {}).sort((a, b) => +a[0] - +b[0]);
		return (jpg.find(([w]) => +w >= 480) ?? jpg.at(-1))?.[1] ?? null;
	});
	const wanted = previewPaths.filter((p): p is string => p !== null);
	const signed =
		wanted.length > 0
			? await locals.supabase.storage.from('masters').createSignedUrls(wanted, 3600)
			: { data: [] };
	const urls = new Map((signed.data ?? []).map((s) => [s.path, s.signedUrl]));
	const [consent, profile, voiceNote] = await Promise.all([
		currentConsent(locals.supabase, piece.id),
		locals.supabase.from('profiles').select('age_bracket').eq('id', user.id).maybeSingle(),
		voiceNoteForReader(locals.supabase, piece.id)
	]);
	return {
		piece: { id: piece.id, status: piece.status as string, language: piece.original_language },
		photos: rows.map((row, i) => ({
			id: row.id,
			role: row.role,
			width: row.width,
			height: row.height,
			dominantColor: row.dominant_color,
			alt: row.alt_text,
			preview: previewPaths[i] ? (urls.get(previewPaths[i]) ?? null) : null
		})),
		texts: piece.piece_texts as {
			language: string;
			title: string;
			caption: string | null;
			story: unknown;
			provenance: string;
		}[],
		consent,
		voiceNote,
		underSixteen: profile.data?.age_bracket !== '16_plus'
	};
};

function textInput(form: FormData): TextInput {
	const alt: Record<string, string> = {};
	for (const [key, value] of form) {
		if (key.startsWith('alt_') && typeof value === 'string') alt[key.slice(4)] = value.trim();
	}
	return {
		language: field(form, 'language'),
		title: field(form, 'title'),
		caption: field(form, 'caption'),
		alt,
		story: readStoryFormField(form, 'story'),
		provenance: field(form, 'provenance') || 'original'
	};
}

/** Runs an action body, turning expected refusals into `fail(status, { code })`. */
async function guarded<T>(form: string, fn: () => Promise<T>) {
	try {
		return await fn();
	} catch (e) {
		if (isPieceError(e)) return fail(e.status, { form, code: e.code });
		throw e;
	}
}

export const actions: Actions = {
	text: async ({ request, params, locals }) => {
		const user = await requireUser();
		const form = await request.formData();
		const input = textInput(form);
		const complete = field(form, 'draft') !== '1';
		return guarded('text', async () => {
			if (field(form, 'original') === '1') {
				await setOriginalLanguage(locals.supabase, params.id, input.language);
			}
			const code = await saveText(locals.supabase, user.id, params.id, input, complete);
			if (code) return fail(400, { form: 'text', code, language: input.language });
			return { form: 'text', saved: true, language: input.language };
		});
	},
	arrange: async ({ request, params, locals }) => {
		const user = await requireUser();
		const form = await request.formData();
		const ids = form.getAll('photo').filter((v): v is string => typeof v === 'string');
		const order = ids.map((id) => ({ id, role: field(form, `role_${id}`) }));
		const move = field(form, 'move');
		const [dir, moved] = move.split(':');
		const at = order.findIndex((o) => o.id === moved);
		const to = dir === 'up' ? at - 1 : at + 1;
		if (at >= 0 && to >= 0 && to < order.length) [order[at], order[to]] = [order[to], order[at]];
		return guarded('photos', async () => {
			await arrangePhotos(locals.supabase, user.id, params.id, order);
			return { form: 'photos', saved: true };
		});
	},
	remove: async ({ request, params, locals }) => {
		const user = await requireUser();
		const form = await request.formData();
		return guarded('photos', async () => {
			// Service role for the files only: `masters` has no delete policy for participants.
			await deletePhoto(locals.supabase, supabaseAdmin(), user.id, params.id, field(form, 'photo'));
			return { form: 'photos', saved: true };
		});
	},
	consent: async ({ request, params, locals }) => {
		const user = await requireUser();
		const form = await request.formData();
		const input = {
			scopes: form.getAll('scope').filter((v): v is string => typeof v === 'string'),
			peopleVisible: field(form, 'people'),
			peopleAgreed: field(form, 'people_agreed') === 'on',
			guardianName: field(form, 'guardian_name'),
			guardianConfirmed: field(form, 'guardian_confirmed') === 'on',
			language: locals.locale
		};
		return guarded('consent', async () => {
			const code = await giveConsent(locals.supabase, user.id, params.id, input);
			if (code) return fail(400, { form: 'consent', code });
			return { form: 'consent', saved: true };
		});
	},
	submit: async ({ params, locals }) => {
		const user = await requireUser();
		const result = await guarded('submit', async () => {
			const code = await submitPiece(locals.supabase, user.id, params.id);
			if (code) return fail(400, { form: 'submit', code });
			return null;
		});
		if (result) return result;
		redirect(
			303,
			localizeHref(`/me/pieces/${params.id}/edit?submitted=1`, { locale: locals.locale })
		);
	}
};
