/**
 * docs/operations.md's backup and restore, as written there, on real Postgres: the demo project
 * (migrations, seed and the demo pictures) is backed up with scripts/backup.ts, restored into an
 * empty project (migrations only, its own storage), and the restore's own check finds every
 * published piece and every object byte-identical. An account deleted after the backup is deleted
 * again by the restore, files and rows. A damaged backup is refused before anything is written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import { backup, readErasures, restore, verify, type Target } from '../../../scripts/backup.ts';
import { deleteOwnAccount, listAllObjects } from '../../../src/lib/server/participant/deletion.ts';
import { seedMedia } from '../../../scripts/seed-media.ts';
import { startStack, type RunningStack } from '../../../supabase/local/src/stack.ts';
import { PIECES, USERS } from '../../../supabase/tests/support.ts';

const adminUrl = process.env.TEST_DATABASE_URL;

async function query(url: string | undefined, sql: string): Promise<unknown[]> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		const results = await client.query(sql);
		return [results].flat().flatMap((result) => result.rows);
	} finally {
		await client.end();
	}
}
const admin = (sql: string) => query(adminUrl, sql);

const SETTINGS = `select project_name, funders, embed_origins
	from public.project_settings, public.site_settings`;

describe.skipIf(!adminUrl)('backup and restore on postgres', () => {
	const root = mkdtempSync(join(tmpdir(), 'ct-backup-'));
	const suffix = `${process.pid}_${Date.now().toString(36)}`;
	const names = {
		source: `ct_bk_src_${suffix}`,
		target: `ct_bk_dst_${suffix}`,
		later: `ct_bk_later_${suffix}`
	};
	const urlOf = (name: string) => {
		const url = new URL(adminUrl as string);
		url.pathname = `/${name}`;
		return url.toString();
	};
	const stacks: RunningStack[] = [];
	let source: Target;
	let target: Target;

	const start = async (name: string, skipSeed: boolean) => {
		await admin(`create database ${name}`);
		const stack = await startStack({
			projectDir: resolve('supabase'),
			port: 0,
			dataDir: join(root, name),
			databaseUrl: urlOf(name),
			skipSeed,
			log: () => {}
		});
		stacks.push(stack);
		return { dbUrl: urlOf(name), url: stack.url, secretKey: stack.keys.secret };
	};

	beforeAll(async () => {
		source = await start(names.source, false);
		await seedMedia({ url: source.url, secretKey: source.secretKey, log: () => {} });
		target = await start(names.target, true);
	}, 600_000);

	afterAll(async () => {
		for (const stack of stacks) await stack.close();
		for (const name of Object.values(names)) {
			await admin(`drop database if exists ${name} with (force)`);
		}
		rmSync(root, { recursive: true, force: true });
	});

	it('round-trips the demo project: every published piece and every object comes back', async () => {
		const out = join(root, 'backup');
		// Settings an admin changed: the empty project has the migrations' defaults, which the
		// restore must replace, not collide with.
		await query(
			source.dbUrl,
			`update public.project_settings set project_name = 'Backup test', funders = '{Stiftung}';
			 update public.site_settings set embed_origins = '{https://verein.example.org}'`
		);
		const manifest = await backup(source, out);
		expect(manifest.published.length).toBeGreaterThan(10);
		expect(manifest.objects.length).toBeGreaterThan(manifest.published.length);
		expect(new Set(manifest.objects.map((o) => o.bucket))).toContain('masters');
		// Before the restore the empty project lacks all of it.
		const missing = await verify(target, out);
		expect(missing.length).toBe(manifest.published.length + manifest.objects.length);

		expect(await restore(target, out)).toEqual([]);
		// The restored project answers through the API as the source does.
		const read = async (t: Target) => {
			const response = await fetch(
				`${t.url}/rest/v1/pieces?select=id,status,piece_texts(language,title)&status=eq.published&order=id`,
				{ headers: { apikey: t.secretKey, authorization: `Bearer ${t.secretKey}` } }
			);
			return response.json();
		};
		expect(await read(target)).toEqual(await read(source));
		expect(await query(target.dbUrl, SETTINGS)).toEqual([
			{
				project_name: 'Backup test',
				funders: ['Stiftung'],
				embed_origins: ['https://verein.example.org']
			}
		]);
		// A second restore over the now populated project is refused, nothing of it touched.
		await expect(restore(target, out)).rejects.toThrow(/target project is not empty/);
		expect(await read(target)).toEqual(await read(source));
	}, 300_000);

	it('refuses a damaged backup before writing anything', async () => {
		const out = join(root, 'damaged');
		await backup(source, out);
		writeFileSync(join(out, 'database.sql'), '-- truncated\n');
		await expect(restore(target, out)).rejects.toThrow(/does not match its manifest/);
	}, 300_000);

	it('deletes again what a person deleted after the backup was taken', async () => {
		const out = join(root, 'before-deletion');
		await backup(source, out);
		// After the backup, Maryam deletes her account in the live project (as /me does).
		const live = createClient(source.url, source.secretKey, { auth: { persistSession: false } });
		expect(await listAllObjects(live, 'masters', USERS.maryam)).not.toEqual([]);
		await deleteOwnAccount(live, live, USERS.maryam);

		const fresh = await start(names.later, true);
		expect(await restore(fresh, out, await readErasures(source.dbUrl))).toEqual([]);
		const restored = createClient(fresh.url, fresh.secretKey, { auth: { persistSession: false } });
		const { data: hers } = await restored.from('pieces').select('id').eq('maker_id', USERS.maryam);
		expect(hers).toEqual([]);
		expect((await restored.auth.admin.getUserById(USERS.maryam)).data.user).toBeNull();
		expect(await listAllObjects(restored, 'masters', USERS.maryam)).toEqual([]);
		// Everyone else's work is back.
		const { data: others } = await restored
			.from('pieces')
			.select('id')
			.eq('id', PIECES.publishedJohannstadt);
		expect(others).toEqual([{ id: PIECES.publishedJohannstadt }]);
	}, 300_000);
});
