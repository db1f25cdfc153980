/**
 * The committed `Database` type must match the migrations: regenerating it with the Supabase CLI
 * gives the same file. Needs a real Postgres server (the CLI cannot talk to PGlite), so it runs
 * where TEST_DATABASE_URL is set, as in CI.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TYPES_FILE, generateDatabaseTypes } from '../../scripts/db-types.ts';

const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!adminUrl)('generated database types', () => {
	it('src/lib/types/database.types.ts is up to date (npm run db:types)', async () => {
		const fresh = await generateDatabaseTypes(adminUrl as string);
		expect(readFileSync(TYPES_FILE, 'utf8')).toBe(fresh);
	});
});
