import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import * as privateEnv from '$app/env/private';
import * as publicEnv from '$app/env/public';
import { tracedFetch } from './traced-fetch.ts';

let admin: SupabaseClient | undefined;

/**
 * The service-role client. It bypasses RLS, so use it only where a policy cannot express the rule,
 * write down why next to the call, and never put it on `locals` or return it to the browser.
 */
export function supabaseAdmin(): SupabaseClient {
	if (admin) return admin;
	const url = publicEnv.PUBLIC_SUPABASE_URL;
	const key = privateEnv.SUPABASE_SECRET_KEY;
	if (!url || !key) throw new Error('PUBLIC_SUPABASE_URL and SUPABASE_SECRET_KEY must be set');
	admin = createClient(url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		global: { fetch: tracedFetch },
		db: { retry: false }
	});
	return admin;
}
