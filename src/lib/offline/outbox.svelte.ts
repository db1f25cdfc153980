import { createBrowserClient } from '@supabase/ssr';
import { Upload } from 'tus-js-client';
import * as env from '$app/env/public';
import { isRetryable } from '#lib/upload-queue.svelte.ts';

/**
 * Pieces a participant keeps on the phone while there is no connection (a community centre's
 * basement), sent by themselves when it returns. Each piece, with its photos as Blobs, waits in
 * IndexedDB, so a closed tab loses nothing: the next visit to a participant page sends it, and
 * where the browser has Background Sync the service worker wakes an open tab as soon as the
 * network is back. Nothing is sent twice: the piece and each photo carry ids made here, and the
 * server answers a repeat with what it made the first time (`PUT /api/pieces/<id>`, the photo
 * endpoint). A 5xx or a dropped connection is retried with growing pauses; a TUS upload that broke
 * halfway continues from its last chunk.
 */

export type OutboxStatus = 'waiting' | 'sending' | 'retrying' | 'arrived' | 'failed';

interface KeptPhoto {
	uploadId: string;
	file: Blob;
	/** Processed into a photo of the piece, or refused with `refused`. */
	done: boolean;
	refused?: string;
}

export interface KeptPiece {
	id: string;
	userId: string;
	workshop: string;
	language: string;
	title: string;
	caption: string;
	photos: KeptPhoto[];
	/** The server has the piece (draft and text). */
	created: boolean;
	keptAt: number;
}

export interface OutboxItem {
	id: string;
	title: string;
	language: string;
	total: number;
	sent: number;
	status: OutboxStatus;
	/** Message codes of photos the server refused (`image_corrupt` …). */
	refused: string[];
}

export const SYNC_TAG = 'ct-outbox';
const DB_NAME = 'ct-outbox';
const STORE = 'pieces';
const CHUNK_SIZE = 6 * 1024 * 1024;
const MAX_PAUSE = 60_000;

/** Thrown where trying again later may work: offline, a 5xx, a broken upload. */
class RetryLater extends Error {}

function openDb(): Promise<IDBDatabase> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(DB_NAME, 1);
		request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
}

async function store<T>(
	mode: IDBTransactionMode,
	fn: (s: IDBObjectStore) => IDBRequest<T>
): Promise<T> {
	const db = await openDb();
	return new Promise((resolve, reject) => {
		const request = fn(db.transaction(STORE, mode).objectStore(STORE));
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
}

function toItem(piece: KeptPiece, status: OutboxStatus): OutboxItem {
	return {
		id: piece.id,
		title: piece.title,
		language: piece.language,
		total: piece.photos.length,
		sent: piece.photos.filter((p) => p.done && !p.refused).length,
		status,
		refused: piece.photos.flatMap((p) => (p.refused ? [p.refused] : []))
	};
}

export class Outbox {
	items = $state<OutboxItem[]>([]);
	#userId: string | null = null;
	#running: Promise<void> | null = null;
	#again = false;
	#pause = 2000;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#client: ReturnType<typeof createBrowserClient> | undefined;
	get #supabase() {
		return (this.#client ??= createBrowserClient(
			env.PUBLIC_SUPABASE_URL ?? '',
			env.PUBLIC_SUPABASE_PUBLISHABLE_KEY ?? ''
		));
	}

	/**
	 * Shows what `userId` kept on this phone and sends it. Pieces another person kept on a shared
	 * phone stay hidden and wait for them. Returns a function that stops listening.
	 */
	start(userId: string): () => void {
		this.#userId = userId;
		const flush = () => void this.flush();
		const message = (event: MessageEvent) => {
			if ((event.data as { type?: string } | null)?.type === SYNC_TAG) flush();
		};
		addEventListener('online', flush);
		navigator.serviceWorker?.addEventListener('message', message);
		flush();
		return () => {
			removeEventListener('online', flush);
			navigator.serviceWorker?.removeEventListener('message', message);
			clearTimeout(this.#timer);
		};
	}

	/** Keeps a piece on this phone and tries to send it at once. */
	async keep(
		piece: Omit<KeptPiece, 'id' | 'userId' | 'photos' | 'created' | 'keptAt'>,
		files: Blob[]
	): Promise<void> {
		if (!this.#userId) throw new Error('outbox not started');
		const kept: KeptPiece = {
			...piece,
			id: crypto.randomUUID(),
			userId: this.#userId,
			photos: files.map((file) => ({ uploadId: crypto.randomUUID(), file, done: false })),
			created: false,
			keptAt: Date.now()
		};
		await store('readwrite', (s) => s.put(kept));
		this.items.push(toItem(kept, 'waiting'));
		await requestBackgroundSync();
		void this.flush();
	}

	/** Sends everything waiting, one piece after another; a second call while running runs again. */
	flush(): Promise<void> {
		if (this.#running) {
			this.#again = true;
			return this.#running;
		}
		clearTimeout(this.#timer);
		// One tab at a time sends (Web Locks): two tabs racing would only meet the server's dedupe.
		const locks = (navigator as { locks?: LockManager }).locks;
		const run = locks ? locks.request(SYNC_TAG, () => this.#flushAll()) : this.#flushAll();
		this.#running = run.finally(() => {
			this.#running = null;
			if (this.#again) {
				this.#again = false;
				void this.flush();
			}
		});
		return this.#running;
	}

	async #flushAll(): Promise<void> {
		if (typeof indexedDB === 'undefined' || !this.#userId) return;
		const all = (await store('readonly', (s) => s.getAll())) as KeptPiece[];
		const mine = all.filter((p) => p.userId === this.#userId).sort((a, b) => a.keptAt - b.keptAt);
		for (const piece of mine) {
			if (!this.items.some((i) => i.id === piece.id)) this.items.push(toItem(piece, 'waiting'));
		}
		if (!navigator.onLine) return;
		let retry = false;
		for (const piece of mine) {
			try {
				await this.#send(piece);
			} catch (error) {
				if (!(error instanceof RetryLater)) console.error('[outbox]', error);
				this.#set(piece, 'retrying');
				retry = true;
			}
		}
		if (retry) {
			// Growing pauses, so a struggling server is not hammered; 'online' sends at once.
			this.#timer = setTimeout(() => void this.flush(), this.#pause);
			this.#pause = Math.min(this.#pause * 2, MAX_PAUSE);
		} else {
			this.#pause = 2000;
		}
	}

	#set(piece: KeptPiece, status: OutboxStatus): void {
		const next = toItem(piece, status);
		const at = this.items.findIndex((i) => i.id === piece.id);
		if (at >= 0) this.items[at] = next;
		else this.items.push(next);
	}

	async #send(piece: KeptPiece): Promise<void> {
		this.#set(piece, 'sending');
		const { data } = await this.#supabase.auth.getSession();
		const session = data.session;
		// Signed out (or another person signed in): the piece waits for its owner.
		if (!session || session.user.id !== piece.userId) throw new RetryLater();
		if (!piece.created) {
			const response = await fetch(`/api/pieces/${piece.id}`, {
				method: 'PUT',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					workshop: piece.workshop,
					language: piece.language,
					title: piece.title,
					caption: piece.caption
				})
			}).catch(() => null);
			if (!response || isRetryable(response.status, undefined) || response.status === 401) {
				throw new RetryLater();
			}
			if (!response.ok) {
				piece.photos.forEach((p) =>
					Object.assign(p, { done: true, refused: 'piece_upload_failed' })
				);
				await this.#finish(piece, 'failed');
				return;
			}
			piece.created = true;
			await store('readwrite', (s) => s.put(piece));
		}
		for (const [i, photo] of piece.photos.entries()) {
			if (photo.done) continue;
			await this.#upload(photo, session.access_token, piece.userId);
			const response = await fetch(`/api/uploads/${photo.uploadId}/process`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ pieceId: piece.id, role: i === 0 ? 'front' : 'detail' })
			}).catch(() => null);
			const body = (await response?.json().catch(() => null)) as { code?: string } | null;
			const status = response?.status ?? 0;
			// Signed out meanwhile: the photo waits for the next sign-in, like the whole piece.
			if (isRetryable(status, body?.code) || status === 401) throw new RetryLater();
			photo.done = true;
			if (!response?.ok) photo.refused = body?.code ?? 'piece_upload_failed';
			// The photo is on the server now; only its mark stays, not its bytes.
			photo.file = new Blob();
			await store('readwrite', (s) => s.put(piece));
			this.#set(piece, 'sending');
		}
		await this.#finish(piece, piece.photos.every((p) => p.refused) ? 'failed' : 'arrived');
	}

	async #finish(piece: KeptPiece, status: OutboxStatus): Promise<void> {
		await store('readwrite', (s) => s.delete(piece.id));
		this.#set(piece, status);
	}

	/** TUS upload of the original, continuing a broken one from its last chunk. */
	#upload(photo: KeptPhoto, token: string, userId: string): Promise<void> {
		const base = (env.PUBLIC_SUPABASE_URL ?? '').replace(/\/$/, '');
		return new Promise((resolve, reject) => {
			const upload = new Upload(photo.file, {
				endpoint: `${base}/storage/v1/upload/resumable`,
				retryDelays: [0, 1000, 3000, 5000],
				chunkSize: CHUNK_SIZE,
				headers: { authorization: `Bearer ${token}`, 'x-upsert': 'true' },
				uploadDataDuringCreation: true,
				removeFingerprintOnSuccess: true,
				fingerprint: async () => `ct-tus-${photo.uploadId}`,
				metadata: {
					bucketName: 'originals',
					objectName: `${userId}/${photo.uploadId}`,
					contentType: photo.file.type || 'application/octet-stream',
					cacheControl: '3600'
				},
				onError: () => reject(new RetryLater()),
				onSuccess: () => resolve()
			});
			upload.findPreviousUploads().then(
				(previous) => {
					if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
					upload.start();
				},
				() => reject(new RetryLater())
			);
		});
	}
}

/** Asks the service worker to wake this page when the network is back (Chromium only). */
async function requestBackgroundSync(): Promise<void> {
	const ready = await navigator.serviceWorker?.getRegistration();
	const sync = (ready as { sync?: { register(tag: string): Promise<void> } } | undefined)?.sync;
	await sync?.register(SYNC_TAG).catch(() => undefined);
}

/** The page's outbox (one per tab). */
export const outbox = new Outbox();
