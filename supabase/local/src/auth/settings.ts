/** The auth service's settings, from config.toml `[auth]` with the Supabase CLI's local defaults. */
import type { ProjectConfig } from '../core/config.ts';

export interface RateLimits {
	/** Requests per window and IP; undefined means unlimited (the default locally). */
	signInSignUps?: number;
	tokenRefresh?: number;
	tokenVerifications?: number;
	anonymousUsers?: number;
	emailSent?: number;
}

export interface AuthSettings {
	siteUrl: string;
	additionalRedirectUrls: string[];
	jwtExpiry: number;
	refreshTokenRotation: boolean;
	refreshTokenReuseInterval: number;
	enableSignup: boolean;
	enableEmailSignup: boolean;
	enableAnonymous: boolean;
	/** false = autoconfirm (the CLI default). */
	enableConfirmations: boolean;
	doubleConfirmChanges: boolean;
	minPasswordLength: number;
	otpLength: number;
	otpExpiry: number;
	/** PKCE auth codes stay valid this long after the link was used. */
	flowStateExpiry: number;
	rateLimits: RateLimits;
	/** Admin roles accepted on /admin (GoTrue's default). */
	adminRoles: string[];
}

/** Reads the auth settings from a parsed config.toml, filling in the CLI defaults. */
export function authSettings(config: ProjectConfig): AuthSettings {
	const auth = config.auth ?? {};
	const email = auth.email ?? {};
	const limits = (auth.rate_limit ?? {}) as Record<string, unknown>;
	const limit = (name: string) => (typeof limits[name] === 'number' ? limits[name] : undefined);
	return {
		siteUrl: auth.site_url ?? 'http://127.0.0.1:3000',
		additionalRedirectUrls: auth.additional_redirect_urls ?? [],
		jwtExpiry: auth.jwt_expiry ?? 3600,
		refreshTokenRotation: auth.enable_refresh_token_rotation ?? true,
		refreshTokenReuseInterval: auth.refresh_token_reuse_interval ?? 10,
		enableSignup: auth.enable_signup ?? true,
		enableEmailSignup: email.enable_signup ?? true,
		enableAnonymous: auth.enable_anonymous_sign_ins ?? false,
		enableConfirmations: email.enable_confirmations ?? false,
		doubleConfirmChanges: email.double_confirm_changes ?? true,
		minPasswordLength: auth.minimum_password_length ?? 6,
		otpLength: email.otp_length ?? 6,
		otpExpiry: email.otp_expiry ?? 3600,
		flowStateExpiry: 300,
		rateLimits: {
			signInSignUps: limit('sign_in_sign_ups'),
			tokenRefresh: limit('token_refresh'),
			tokenVerifications: limit('token_verifications'),
			anonymousUsers: limit('anonymous_users'),
			emailSent: limit('email_sent')
		},
		adminRoles: ['service_role', 'supabase_admin']
	};
}
