/**
 * Object bytes under `<dataDir>/storage`. A file's path comes from the bucket id, the object id and
 * the version Storage assigns to every write, never from the user's key, so no key can reach
 * outside the folder. Writes land in `tmp/` first and are renamed into place; a version file is
 * only referenced by its row after the rename, and the previous version is removed after commit.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { errors } from './errors.ts';

/** How much a write stream buffers before asking the network side to wait. */
export const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface StoredBody {
	/** Temporary file holding the bytes; the caller commits or discards it. */
	tempPath: string;
	size: number;
}

export class FileStore {
	readonly root: string;
	readonly tmpDir: string;
	readonly objectsDir: string;
	readonly tusDir: string;

	constructor(dataDir: string) {
		this.root = join(dataDir, 'storage');
		this.tmpDir = join(this.root, 'tmp');
		this.objectsDir = join(this.root, 'objects');
		this.tusDir = join(this.root, 'tus');
	}

	async init(): Promise<void> {
		// Leftovers of requests a previous run did not finish belong to nobody.
		await rm(this.tmpDir, { recursive: true, force: true });
		await mkdir(this.tmpDir, { recursive: true });
		await mkdir(this.objectsDir, { recursive: true });
		await mkdir(this.tusDir, { recursive: true });
	}

	newTempPath(): string {
		return join(this.tmpDir, randomUUID());
	}

	/** Where the bytes of one version of one object live. */
	objectPath(bucketId: string, objectId: string, version: string): string {
		return join(
			this.objectsDir,
			bucketDir(bucketId),
			assertSafeName(objectId),
			assertSafeName(version)
		);
	}

	/**
	 * Streams `source` into a new temporary file. Past `limit` bytes it stops writing, deletes the
	 * file and keeps reading the rest of the body (so the client still gets the error response),
	 * then fails with EntityTooLarge. The temporary file never survives a failure.
	 */
	async writeTemp(source: Readable, limit: number): Promise<StoredBody> {
		const tempPath = this.newTempPath();
		// A large buffer lets the stream coalesce network chunks into few writev calls.
		const out = createWriteStream(tempPath, { highWaterMark: WRITE_BUFFER_BYTES });
		// Without a listener a late write error (after we stop) would crash the process.
		let failure: Error | null = null;
		out.on('error', (error) => (failure ??= error));
		let size = 0;
		let tooLarge = false;
		// Plain 'data' events with backpressure: cheaper per chunk than async iteration.
		await new Promise<void>((done) => {
			const stop = (error?: Error) => {
				if (error) failure ??= error;
				out.off('drain', resume);
				done();
			};
			const resume = () => source.resume();
			source.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (tooLarge || failure) return;
				if (size > limit) {
					tooLarge = true;
					return;
				}
				if (!out.write(chunk)) {
					source.pause();
					out.once('drain', resume);
				}
			});
			source.once('end', () => stop());
			source.once('error', (error) => stop(error));
			source.once('close', () => {
				if (!source.readableEnded) stop(new Error('request aborted'));
			});
			out.once('error', () => {
				// keep reading (and discarding) so the client still gets an answer
				source.resume();
			});
		});
		await finish(out);
		if (tooLarge || failure) {
			await rm(tempPath, { force: true });
			throw tooLarge ? errors.entityTooLarge() : failure;
		}
		return { tempPath, size };
	}

	/** Moves a finished temporary file to its version path. */
	async commitTemp(tempPath: string, target: string): Promise<void> {
		await mkdir(join(target, '..'), { recursive: true });
		await rename(tempPath, target);
	}

	/** Gives an existing version a second name (move/copy) without copying when the FS allows it. */
	async duplicate(source: string, target: string): Promise<void> {
		await mkdir(join(target, '..'), { recursive: true });
		try {
			await link(source, target);
		} catch {
			await copyFile(source, target);
		}
	}

	/** Removes a version file and its folder once empty; missing files are fine. */
	async remove(path: string | null | undefined): Promise<void> {
		if (!path) return;
		await rm(path, { force: true });
		const folder = join(path, '..');
		try {
			if ((await readdir(folder)).length === 0) await rm(folder, { recursive: true, force: true });
		} catch {
			// already gone
		}
	}

	async discard(tempPath: string | undefined): Promise<void> {
		if (tempPath) await unlink(tempPath).catch(() => undefined);
	}

	async size(path: string): Promise<number> {
		return (await stat(path)).size;
	}
}

/** Bucket ids may hold characters that mean something to a file system; encode them. */
function bucketDir(bucketId: string): string {
	return Buffer.from(bucketId, 'utf8').toString('base64url') || '_';
}

function assertSafeName(name: string): string {
	if (!/^[A-Za-z0-9-]+$/.test(name)) throw errors.internal(`unsafe version "${name}"`);
	return name;
}

/** Ends a write stream and waits until its file is closed, whether or not writing failed. */
export function finish(out: WriteStream): Promise<void> {
	return new Promise((done) => {
		if (out.closed || out.destroyed) {
			done();
			return;
		}
		out.once('close', () => done());
		out.end();
	});
}
