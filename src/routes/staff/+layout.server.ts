import { requireStaff } from '#lib/server/auth.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, depends }) => {
	depends('supabase:db:pieces');
	const access = await requireStaff();
	// RLS counts only the pieces this staff member may review.
	const { count, error } = await locals.supabase
		.from('pieces')
		.select('id', { count: 'exact', head: true })
		.eq('status', 'submitted');
	if (error) throw error;
	return {
		staff: {
			isAdmin: access.isAdmin,
			isModerator: access.isModerator,
			facilitatorOf: access.facilitatorOf
		},
		submittedCount: count ?? 0
	};
};
