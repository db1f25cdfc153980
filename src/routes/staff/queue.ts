import type { SupabaseClient } from '@supabase/supabase-js';
import { PIECE_STATUSES, type PieceStatus } from '#lib/piece-status.ts';

/** The queue's filters, all from (and back to) the URL. */
export interface QueueFilters {
	workshop: string;
	status: PieceStatus;
	lang: string;
	age: string;
}

export interface QueueItem {
	id: string;
	title: string | null;
	titleLang: string | null;
	status: string;
	workshopId: string;
	originalLanguage: string;
	submittedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AGES = ['1', '3', '7'];

/** Reads the filters from the query string; anything unknown falls back to the default. */
export function readFilters(url: URL): QueueFilters {
	const status = url.searchParams.get('status') ?? '';
	const workshop = url.searchParams.get('workshop') ?? '';
	const lang = url.searchParams.get('lang') ?? '';
	const age = url.searchParams.get('age') ?? '';
	return {
		status: (PIECE_STATUSES as readonly string[]).includes(status)
			? (status as PieceStatus)
			: 'submitted',
		workshop: UUID.test(workshop) ? workshop : '',
		lang: /^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/.test(lang) ? lang : '',
		age: AGES.includes(age) ? age : ''
	};
}

/** The query string of a set of filters (defaults left out). */
export function filterQuery(filters: QueueFilters): string {
	const params = new URLSearchParams();
	if (filters.workshop) params.set('workshop', filters.workshop);
	if (filters.status !== 'submitted') params.set('status', filters.status);
	if (filters.lang) params.set('lang', filters.lang);
	if (filters.age) params.set('age', filters.age);
	const query = params.toString();
	return query ? `?${query}` : '';
}

/**
 * Pieces the caller may review (RLS decides which), oldest submission first. Drafts never show:
 * Postgres hides them from staff.
 */
export async function loadQueue(
	supabase: SupabaseClient,
	filters: QueueFilters,
	limit = 200
): Promise<QueueItem[]> {
	let query = supabase
		.from('pieces')
		.select(
			'id, status, workshop_id, original_language, submitted_at, texts:piece_texts(language, title)'
		)
		.eq('status', filters.status)
		.order('submitted_at', { ascending: true, nullsFirst: false })
		.order('id')
		.limit(limit);
	if (filters.workshop) query = query.eq('workshop_id', filters.workshop);
	if (filters.lang) query = query.eq('original_language', filters.lang);
	if (filters.age) {
		const before = new Date(Date.now() - Number(filters.age) * 86_400_000).toISOString();
		query = query.lt('submitted_at', before);
	}
	const { data, error } = await query;
	if (error) throw error;
	return data.map((row) => {
		const texts = (row.texts ?? []) as { language: string; title: string }[];
		const original = texts.find((t) => t.language === row.original_language) ?? texts[0];
		return {
			id: row.id,
			title: original?.title ?? null,
			titleLang: original?.language ?? null,
			status: row.status,
			workshopId: row.workshop_id,
			originalLanguage: row.original_language,
			submittedAt: row.submitted_at
		};
	});
}
