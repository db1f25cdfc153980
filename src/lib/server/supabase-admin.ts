import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { env as privateEnv } from '$env/dynamic/private';
import { env as publicEnv } from '$env/dynamic/public';
import WebSocket from 'ws';

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
		realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket }
	});
	return admin;
}
