/** Reads a Supabase project's `config.toml` (the CLI's format); every section is optional. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';

export interface BucketConfig {
	public?: boolean;
	/** e.g. "50MiB" */
	file_size_limit?: string;
	allowed_mime_types?: string[];
	objects_path?: string;
}

export interface ProjectConfig {
	project_id?: string;
	api?: { schemas?: string[]; extra_search_path?: string[]; max_rows?: number };
	auth?: {
		site_url?: string;
		additional_redirect_urls?: string[];
		jwt_expiry?: number;
		enable_refresh_token_rotation?: boolean;
		refresh_token_reuse_interval?: number;
		enable_signup?: boolean;
		enable_anonymous_sign_ins?: boolean;
		minimum_password_length?: number;
		email?: {
			enable_signup?: boolean;
			enable_confirmations?: boolean;
			double_confirm_changes?: boolean;
			otp_length?: number;
			otp_expiry?: number;
			max_frequency?: string;
		};
		[key: string]: unknown;
	};
	storage?: { file_size_limit?: string; buckets?: Record<string, BucketConfig> };
	db?: { seed?: { enabled?: boolean; sql_paths?: string[] } };
	[key: string]: unknown;
}

export function loadProjectConfig(projectDir: string): ProjectConfig {
	const file = join(projectDir, 'config.toml');
	if (!existsSync(file)) return {};
	return parse(readFileSync(file, 'utf8')) as ProjectConfig;
}

/** "50MiB", "5MB", "1024" → bytes (the CLI's sizes are binary units). */
export function parseSize(value: string | number | undefined): number | undefined {
	if (value === undefined) return undefined;
	if (typeof value === 'number') return value;
	const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B)?\s*$/i.exec(value);
	if (!match) throw new Error(`cannot read size "${value}"`);
	const unit = (match[2] ?? 'B').toUpperCase().replace('IB', 'B');
	const power = { B: 0, KB: 1, MB: 2, GB: 3, TB: 4 }[unit] ?? 0;
	return Math.round(Number(match[1]) * 1024 ** power);
}
