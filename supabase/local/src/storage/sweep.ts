/**
 * Start-up repair: a crash between placing a new version file and committing its row, or between
 * the commit and removing the previous version, leaves a version file no row points to. For every
 * object this database knows, remove its unreferenced versions. Folders of objects the database
 * does not know are left alone: they may belong to another database used with the same data
 * directory (PGlite one day, a real Postgres the next), and deleting them would lose uploads.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StorageServices } from './context.ts';

export async function sweepOrphans(services: StorageServices): Promise<void> {
	const { rows } = await services.db.query<{ bucket_id: string; id: string; version: string }>(
		'select bucket_id, id::text, version from storage.objects where version is not null'
	);
	const versionsByFolder = new Map<string, Set<string>>();
	for (const row of rows) {
		let path: string;
		try {
			path = services.files.objectPath(row.bucket_id, row.id, row.version);
		} catch {
			continue; // a version written by hand (seed SQL) that never had bytes here
		}
		const folder = dirname(path);
		const versions = versionsByFolder.get(folder) ?? new Set<string>();
		versions.add(path);
		versionsByFolder.set(folder, versions);
	}
	let removed = 0;
	for (const [folder, referenced] of versionsByFolder) {
		for (const name of await list(folder)) {
			const path = join(folder, name);
			if (!referenced.has(path)) {
				await services.files.remove(path);
				removed += 1;
			}
		}
	}
	if (removed > 0) services.log(`storage: removed ${removed} unreferenced object version(s)`);
}

async function list(dir: string): Promise<string[]> {
	try {
		return await readdir(dir);
	} catch {
		return [];
	}
}
