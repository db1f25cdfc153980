/**
 * Start-up repair: a crash between placing a version file and committing its row, or between the
 * commit and removing the previous version, leaves a file no row points to. Remove those, so disk
 * and database agree again. Files that rows reference are never touched.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageServices } from './context.ts';

export async function sweepOrphans(services: StorageServices): Promise<void> {
	const { rows } = await services.db.query<{ bucket_id: string; id: string; version: string }>(
		'select bucket_id, id::text, version from storage.objects where version is not null'
	);
	const referenced = new Set<string>();
	for (const row of rows) {
		try {
			referenced.add(services.files.objectPath(row.bucket_id, row.id, row.version));
		} catch {
			// a version written by hand (seed SQL) that never had bytes here
		}
	}
	let removed = 0;
	for (const bucket of await list(services.files.objectsDir)) {
		const bucketPath = join(services.files.objectsDir, bucket);
		for (const object of await list(bucketPath)) {
			for (const version of await list(join(bucketPath, object))) {
				const path = join(bucketPath, object, version);
				if (!referenced.has(path)) {
					await services.files.remove(path);
					removed += 1;
				}
			}
		}
	}
	if (removed > 0) services.log(`storage: removed ${removed} unreferenced object file(s)`);
}

async function list(dir: string): Promise<string[]> {
	try {
		return await readdir(dir);
	} catch {
		return [];
	}
}
