import { fail } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import { pickLabel, type LanguageMap } from '#lib/server/gallery/queries.ts';
import { moderate } from '#lib/server/moderation/actions.ts';
import { afterDecision } from '#lib/server/moderation/after.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import { loadQueue, readFilters } from './queue';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const load: PageServerLoad = async ({ locals, url, depends }) => {
	depends('supabase:db:pieces');
	const access = await requireStaff();
	const filters = readFilters(url);
	const [items, workshops] = await Promise.all([
		loadQueue(locals.supabase, filters),
		locals.supabase.from('workshops').select('id, title').order('starts_on', { ascending: false })
	]);
	if (workshops.error) throw workshops.error;
	const names = new Map(
		workshops.data.map((w) => [w.id as string, pickLabel(w.title as LanguageMap, locals.locale)])
	);
	const reviewable = workshops.data.filter(
		(w) => access.isModerator || access.facilitatorOf.includes(w.id)
	);
	return {
		filters,
		items: items.map((item) => ({ ...item, workshop: names.get(item.workshopId) ?? '' })),
		workshops: reviewable.map((w) => ({ id: w.id as string, title: names.get(w.id) ?? '' })),
		languages: [...new Set(items.map((i) => i.originalLanguage))].sort(),
		// Bulk publishing is for a facilitator's own workshop (moderators review one by one).
		canBulkPublish:
			filters.status === 'submitted' &&
			filters.workshop !== '' &&
			access.facilitatorOf.includes(filters.workshop)
	};
};

export const actions: Actions = {
	bulkPublish: async ({ locals, request, url }) => {
		const access = await requireStaff();
		const form = await request.formData();
		const workshop = form.get('workshop');
		const ids = form.getAll('piece').filter((v): v is string => typeof v === 'string');
		if (typeof workshop !== 'string' || !access.facilitatorOf.includes(workshop)) {
			return fail(403, { code: 'not_workshop_staff' as const });
		}
		if (ids.length === 0 || ids.some((id) => !UUID.test(id))) {
			return fail(400, { code: 'bulk_none' as const });
		}
		// Only pieces of that workshop: RLS lets a facilitator read their workshop's pieces, and
		// moderate_piece re-checks each one.
		const { data: pieces, error } = await locals.supabase
			.from('pieces')
			.select('id')
			.in('id', ids)
			.eq('workshop_id', workshop)
			.eq('status', 'submitted');
		if (error) throw error;
		let published = 0;
		for (const piece of pieces) {
			// Service role for public-media only: that bucket is writable by nobody else.
			const result = await moderate(locals.supabase, supabaseAdmin(), {
				pieceId: piece.id,
				action: 'publish',
				expectedStatus: 'submitted',
				reasonCodes: []
			});
			if (!result.ok) continue;
			published += 1;
			await afterDecision({
				pieceId: piece.id,
				action: 'publish',
				reasonCodes: [],
				note: null,
				origin: url.origin
			});
		}
		return { bulk: { published, failed: ids.length - published } };
	}
};
