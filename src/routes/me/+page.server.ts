import { fail, redirect } from '@sveltejs/kit';
import type { TextChanges } from '#lib/components/staff/ChangeList.svelte';
import { purgePiece } from '#lib/server/moderation/after.ts';
import { localizeHref } from '#lib/i18n/href.ts';
import { realEmail, requireUser } from '#lib/server/auth.ts';
import {
	deleteOwnAccount,
	deleteOwnPiece,
	publicMediaPaths,
	removePublicMedia
} from '#lib/server/participant/deletion.ts';
import { addEmailAndPassword, MIN_PASSWORD_LENGTH } from '#lib/server/participant/account.ts';
import { field, rpcErrorCode } from '#lib/server/participant/forms.ts';
import { takeRateLimit } from '#lib/server/rate-limit.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import type { Actions, PageServerLoad } from './$types';

interface PieceRow {
	id: string;
	status: string;
	original_language: string;
	created_at: string;
	piece_texts: { language: string; title: string }[];
	piece_photos: { position: number; dominant_color: string | null }[];
	moderation_events: {
		id: number;
		action: string;
		reason_codes: string[];
		note: string | null;
		note_language: string | null;
		to_status: string;
		changes: TextChanges | null;
	}[];
}

/** A moderator's message explains the current status only if it led to it. */
const EXPLAINED = new Set(['changes_requested', 'rejected']);

export const load: PageServerLoad = async ({ locals, depends }) => {
	depends('supabase:db:pieces');
	const user = await requireUser();
	const [profile, pieces] = await Promise.all([
		locals.supabase.from('profiles').select('display_name').eq('id', user.id).maybeSingle(),
		locals.supabase
			.from('pieces')
			.select(
				'id, status, original_language, created_at, piece_texts(language, title), piece_photos(position, dominant_color), moderation_events(id, action, reason_codes, note, note_language, to_status, changes)'
			)
			.eq('maker_id', user.id)
			.order('created_at', { ascending: false })
	]);
	if (profile.error) throw profile.error;
	if (pieces.error) throw pieces.error;

	return {
		displayName: profile.data?.display_name ?? null,
		canHaveTicket: realEmail(user) === null,
		email: realEmail(user),
		minPassword: MIN_PASSWORD_LENGTH,
		pieces: (pieces.data as PieceRow[]).map((piece) => {
			const texts = piece.piece_texts;
			const text =
				texts.find((t) => t.language === locals.locale) ??
				texts.find((t) => t.language === piece.original_language) ??
				texts[0];
			// Staff typo fixes are shown as such; they never explain a status.
			const edits = piece.moderation_events
				.filter((e) => e.action === 'edit_text' && e.changes)
				.sort((a, b) => a.id - b.id)
				.map((e) => e.changes as TextChanges);
			const events = piece.moderation_events
				.filter((e) => e.action !== 'edit_text')
				.sort((a, b) => b.id - a.id);
			const last = events[0];
			const reason =
				last && EXPLAINED.has(piece.status) && last.to_status === piece.status
					? { codes: last.reason_codes, note: last.note, noteLanguage: last.note_language }
					: null;
			const cover = [...piece.piece_photos].sort((a, b) => a.position - b.position)[0];
			return {
				id: piece.id,
				status: piece.status,
				title: text?.title ?? null,
				titleLanguage: text?.language ?? null,
				color: cover?.dominant_color ?? null,
				reason,
				edits
			};
		})
	};
};

function failFromRpc(error: unknown, pieceId: string) {
	const code = rpcErrorCode(error);
	if (code === 'piece_not_found' || code === 'already_withdrawn') {
		return fail(400, { code, pieceId });
	}
	throw error;
}

/**
 * Destructive actions carry `confirm=yes`: the dialog's confirm button sends it, and without
 * JavaScript a required checkbox does; a bare POST (a stray or forged submit) does nothing.
 */
function confirmed(form: FormData): boolean {
	return field(form, 'confirm') === 'yes';
}

export const actions: Actions = {
	withdraw: async ({ request, locals, url }) => {
		const user = await requireUser();
		const form = await request.formData();
		const pieceId = field(form, 'piece');
		if (!confirmed(form)) return fail(400, { code: 'confirm_required', pieceId });
		// Read before withdrawing: the withdrawal clears the paths in the same transaction.
		const paths = await publicMediaPaths(locals.supabase, pieceId);
		const { error } = await locals.supabase.rpc('withdraw_piece', { p_piece_id: pieceId });
		if (error) return failFromRpc(error, pieceId);
		// Service role: public-media is written only by the service role; paths were read with the
		// maker's own client, so they are theirs.
		await removePublicMedia(supabaseAdmin(), paths);
		await purgePiece(pieceId, url.origin);
		return { done: 'withdrawn' as const, pieceId, userId: user.id };
	},

	deletePiece: async ({ request, locals, url }) => {
		const user = await requireUser();
		const form = await request.formData();
		const pieceId = field(form, 'piece');
		if (!confirmed(form)) return fail(400, { code: 'confirm_required', pieceId });
		try {
			// Service role inside: removing masters and public copies (see deletion.ts).
			await deleteOwnPiece(supabaseAdmin(), locals.supabase, user.id, pieceId);
		} catch (error) {
			return failFromRpc(error, pieceId);
		}
		await purgePiece(pieceId, url.origin);
		return { done: 'deleted' as const, pieceId };
	},

	upgrade: async ({ request, locals, url }) => {
		await requireUser();
		const form = await request.formData();
		const email = field(form, 'email');
		if (!(await takeRateLimit('password'))) {
			return fail(429, { form: 'upgrade' as const, code: 'rate_limited', email });
		}
		const confirm = new URL('/auth/confirm', url.origin);
		confirm.searchParams.set('next', '/me');
		const result = await addEmailAndPassword(locals.supabase, {
			email,
			password: String(form.get('password') ?? ''),
			passwordRepeat: String(form.get('password_repeat') ?? ''),
			redirectTo: confirm.href
		});
		if (!result.ok) return fail(400, { form: 'upgrade' as const, code: result.code, email });
		return { form: 'upgrade' as const, upgraded: result.status, email: result.email };
	},

	deleteAccount: async ({ request, locals, cookies, url }) => {
		const user = await requireUser();
		if (!confirmed(await request.formData())) {
			return fail(400, { code: 'confirm_required', pieceId: null });
		}
		// Which pages a CDN may still hold: read before the rows go.
		const { data: published } = await locals.supabase
			.from('pieces')
			.select('id')
			.eq('maker_id', user.id)
			.eq('status', 'published');
		// Service role inside: storage cleanup and deleting the auth user (see deletion.ts).
		await deleteOwnAccount(supabaseAdmin(), locals.supabase, user.id);
		await Promise.all((published ?? []).map(({ id }) => purgePiece(id, url.origin)));
		// The user is gone, so the auth server may refuse the sign-out; the cookies go regardless.
		await locals.supabase.auth.signOut({ scope: 'local' }).catch(() => undefined);
		for (const { name } of cookies.getAll()) {
			if (name.startsWith('sb-')) cookies.delete(name, { path: '/' });
		}
		redirect(303, localizeHref('/signout?done=deleted', { locale: locals.locale }));
	}
};
