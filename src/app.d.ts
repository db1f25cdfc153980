import type { JwtPayload, SupabaseClient } from '@supabase/supabase-js';
import type { Locale } from '#lib/paraglide/runtime.js';

declare global {
	/** Path of the public pages' enhancement script in the client build (vite.config.ts). */
	const __ENHANCE_SCRIPT__: string;

	namespace App {
		interface Error {
			message: string;
			/** Stable code the page turns into a localized text, e.g. `not_found`. */
			code?: string;
			/** Shown to the user for unexpected errors so a report can be matched to the log. */
			errorId?: string;
		}

		/** Identity taken from a JWT whose signature was verified, never from getSession().user. */
		interface SessionUser {
			id: string;
			email: string | null;
			isAnonymous: boolean;
			role: string;
		}

		interface SafeSession {
			user: SessionUser | null;
			claims: JwtPayload | null;
		}

		interface Locals {
			/** This request's id (src/lib/server/hooks/request-log.ts), in every log line for it. */
			requestId: string;
			locale: Locale;
			supabase: SupabaseClient;
			safeGetSession: () => Promise<SafeSession>;
			/** `frame-ancestors` sources for a page other sites may frame (the embed pages only). */
			frameAncestors?: string;
		}

		interface PageData {
			user: SessionUser | null;
		}
	}
}

export {};
