import { requireStaff } from '#lib/server/auth.ts';
import type { TextChanges } from '#lib/components/staff/ChangeList.svelte';
import { actorNames } from '../pieces/[id]/review';
import type { PageServerLoad } from './$types';

const ACTIONS = [
	'submit',
	'withdraw',
	'publish',
	'request_changes',
	'reject',
	'unpublish',
	'consent_withdrawn',
	'edit_text'
];
const PAGE = 50;

export const load: PageServerLoad = async ({ locals, url }) => {
	await requireStaff();
	const action = url.searchParams.get('action') ?? '';
	const before = Number(url.searchParams.get('before') ?? '');
	// RLS returns only events of pieces this staff member may see; nobody can change them.
	let query = locals.supabase
		.from('moderation_events')
		.select(
			'id, piece_id, action, from_status, to_status, reason_codes, note, note_language, actor_id, created_at, changes, piece:pieces(original_language, texts:piece_texts(language, title))'
		)
		.order('id', { ascending: false })
		.limit(PAGE + 1);
	if (ACTIONS.includes(action)) query = query.eq('action', action);
	if (Number.isSafeInteger(before) && before > 0) query = query.lt('id', before);
	const { data, error } = await query;
	if (error) throw error;
	const rows = data.slice(0, PAGE);
	const names = await actorNames(
		locals.supabase,
		rows.map((r) => r.actor_id)
	);
	return {
		action: ACTIONS.includes(action) ? action : '',
		actions: ACTIONS,
		older: data.length > PAGE ? rows[rows.length - 1].id : null,
		events: rows.map((r) => {
			const piece = r.piece as unknown as {
				original_language: string;
				texts: { language: string; title: string }[];
			} | null;
			const text =
				piece?.texts.find((t) => t.language === piece.original_language) ?? piece?.texts[0];
			return {
				id: r.id as number,
				pieceId: r.piece_id as string,
				title: text?.title ?? null,
				titleLang: text?.language ?? null,
				action: r.action as string,
				fromStatus: r.from_status as string,
				toStatus: r.to_status as string,
				reasonCodes: r.reason_codes as string[],
				actorName: (r.actor_id && names.get(r.actor_id)) || null,
				at: r.created_at as string,
				changes: (r.changes as TextChanges | null) ?? null
			};
		})
	};
};
