import { createBrowserClient } from '@supabase/ssr';
import { Upload } from 'tus-js-client';
import * as env from '$app/env/public';
import { mayBePhoto, uploadContentType } from '#lib/photo-types.ts';

/**
 * The browser's upload queue. Why TUS: a phone on workshop Wi-Fi drops connections; Supabase
 * Storage's resumable endpoint takes 6 MB chunks and continues from the last one instead of
 * starting over, and it is native to Storage, so originals go straight into the private bucket
 * under the participant's own session (no server in the middle holding 20 MB bodies). Each entry
 * (with the file itself) is kept in IndexedDB and tus keeps its upload URL in localStorage under a
 * fingerprint of our upload id, so a reload or a closed tab resumes where it stopped. Once stored,
 * the server processes the original (EXIF removed) and deletes it.
 */

export type UploadStatus = 'waiting' | 'uploading' | 'processing' | 'done' | 'failed';

export interface ProcessedPhoto {
	id: string;
	position: number;
	role: string;
	width: number;
	height: number;
	dominantColor: string | null;
	previewUrl: string | null;
	removed: { location: boolean; camera: boolean };
}

export interface QueueItem {
	uploadId: string;
	pieceId: string;
	role: string;
	name: string;
	/** Object URL of the local file, for an instant preview. */
	preview: string;
	status: UploadStatus;
	percent: number;
	/** A message code (`image_corrupt`, `piece_upload_failed` …) when failed. */
	error: string | null;
}

interface StoredEntry {
	uploadId: string;
	pieceId: string;
	role: string;
	name: string;
	file: Blob;
}

const CHUNK_SIZE = 6 * 1024 * 1024;
const DB_NAME = 'ct-uploads';
const STORE = 'queue';
const MAX_BYTES = 25 * 1024 * 1024;

function openDb(): Promise<IDBDatabase> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(DB_NAME, 1);
		request.onupgradeneeded = () =>
			request.result.createObjectStore(STORE, { keyPath: 'uploadId' });
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

/** A code for a file the server would refuse anyway, checked before sending any byte. */
export function precheckFile(file: File): string | null {
	if (file.size > MAX_BYTES) return 'image_too_large_bytes';
	if (!mayBePhoto(file)) return 'piece_unsupported_file';
	return null;
}

/**
 * Whether an answer of the photo endpoint is worth asking again: no answer (offline), a server
 * fault, too many requests for now, or the same upload still being processed by an earlier
 * request. Status 0 is no answer.
 */
export function isRetryable(status: number, code: string | undefined): boolean {
	return status === 0 || status >= 500 || status === 429 || code === 'security_upload_in_progress';
}

export class UploadQueue {
	items = $state<QueueItem[]>([]);
	// Not reactive on purpose: tus Upload objects are plumbing, the UI reads `items`.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#uploads = new Map<string, Upload>();
	#onDone: (photo: ProcessedPhoto) => void;
	// Created on first upload: the page also renders on the server, where there is no browser client.
	#client: ReturnType<typeof createBrowserClient> | undefined;
	get #supabase() {
		return (this.#client ??= createBrowserClient(
			env.PUBLIC_SUPABASE_URL ?? '',
			env.PUBLIC_SUPABASE_PUBLISHABLE_KEY ?? ''
		));
	}

	constructor(onDone: (photo: ProcessedPhoto) => void) {
		this.#onDone = onDone;
	}

	/** Picks up what a reload or a closed tab left unfinished for this piece. */
	async restore(pieceId: string): Promise<void> {
		if (typeof indexedDB === 'undefined') return;
		const entries = (await store('readonly', (s) => s.getAll())) as StoredEntry[];
		for (const entry of entries.filter((e) => e.pieceId === pieceId)) {
			if (this.items.some((i) => i.uploadId === entry.uploadId)) continue;
			this.#start(entry);
		}
	}

	/** Queues files; returns the codes of those refused before upload. */
	async add(pieceId: string, files: File[], role: string): Promise<string[]> {
		const refused: string[] = [];
		for (const file of files) {
			const code = precheckFile(file);
			if (code) {
				refused.push(code);
				continue;
			}
			const entry: StoredEntry = {
				uploadId: crypto.randomUUID(),
				pieceId,
				role,
				name: file.name,
				file
			};
			try {
				await store('readwrite', (s) => s.put(entry));
			} catch {
				// Private mode without IndexedDB: the upload still works, it just cannot survive a reload.
			}
			this.#start(entry);
		}
		return refused;
	}

	retry(uploadId: string): void {
		const item = this.items.find((i) => i.uploadId === uploadId);
		const upload = this.#uploads.get(uploadId);
		if (!item || !upload) return;
		item.status = 'uploading';
		item.error = null;
		upload.start();
	}

	#start(entry: StoredEntry): void {
		const item: QueueItem = {
			uploadId: entry.uploadId,
			pieceId: entry.pieceId,
			role: entry.role,
			name: entry.name,
			preview: URL.createObjectURL(entry.file),
			status: 'waiting',
			percent: 0,
			error: null
		};
		this.items.push(item);
		const live = this.items[this.items.length - 1];
		void this.#upload(entry, live);
	}

	async #upload(entry: StoredEntry, item: QueueItem): Promise<void> {
		const { data } = await this.#supabase.auth.getSession();
		const token = data.session?.access_token;
		const userId = data.session?.user.id;
		if (!token || !userId) {
			item.status = 'failed';
			item.error = 'piece_signed_out';
			return;
		}
		const base = (env.PUBLIC_SUPABASE_URL ?? '').replace(/\/$/, '');
		const upload = new Upload(entry.file, {
			endpoint: `${base}/storage/v1/upload/resumable`,
			retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000],
			chunkSize: CHUNK_SIZE,
			headers: { authorization: `Bearer ${token}`, 'x-upsert': 'true' },
			uploadDataDuringCreation: true,
			removeFingerprintOnSuccess: true,
			// Our upload id, not the file's name and size: the same photo added twice is two uploads.
			fingerprint: async () => `ct-tus-${entry.uploadId}`,
			metadata: {
				bucketName: 'originals',
				objectName: `${userId}/${entry.uploadId}`,
				contentType: uploadContentType({ type: entry.file.type, name: entry.name }),
				cacheControl: '3600'
			},
			onProgress: (sent, total) => {
				item.status = 'uploading';
				item.percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
			},
			onError: (error) => {
				const status = (error as { originalResponse?: { getStatus(): number; getBody(): string } })
					.originalResponse;
				item.status = 'failed';
				item.error = status?.getBody()?.includes('storage_quota_exceeded')
					? 'security_storage_full'
					: status?.getStatus() === 413
						? 'image_too_large_bytes'
						: 'piece_upload_failed';
			},
			onSuccess: () => void this.#process(entry, item)
		});
		this.#uploads.set(entry.uploadId, upload);
		const previous = await upload.findPreviousUploads();
		if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
		upload.start();
	}

	async #process(entry: StoredEntry, item: QueueItem): Promise<void> {
		item.status = 'processing';
		item.percent = 100;
		for (let attempt = 0; ; attempt++) {
			const response = await fetch(`/api/uploads/${entry.uploadId}/process`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ pieceId: entry.pieceId, role: entry.role })
			}).catch(() => null);
			const body = (await response?.json().catch(() => null)) as {
				photo?: ProcessedPhoto;
				code?: string;
			} | null;
			// Busy, failing or offline: wait and ask again, the original stays in storage meanwhile.
			const retryable = isRetryable(response?.status ?? 0, body?.code);
			if (retryable && attempt < 6) {
				await new Promise((r) => setTimeout(r, 2000 * 2 ** attempt));
				continue;
			}
			// Still failing: the entry stays, so the next visit sends it again (processing is idempotent).
			if (!retryable) {
				await store('readwrite', (s) => s.delete(entry.uploadId)).catch(() => undefined);
			}
			if (response?.ok && body?.photo) {
				item.status = 'done';
				this.#onDone(body.photo);
				this.items = this.items.filter((i) => i.uploadId !== entry.uploadId);
				URL.revokeObjectURL(item.preview);
			} else {
				item.status = 'failed';
				item.error = body?.code ?? 'piece_upload_failed';
			}
			return;
		}
	}

	/** Drops a failed item from the list. */
	dismiss(uploadId: string): void {
		const item = this.items.find((i) => i.uploadId === uploadId);
		if (item) URL.revokeObjectURL(item.preview);
		this.items = this.items.filter((i) => i.uploadId !== uploadId);
		void store('readwrite', (s) => s.delete(uploadId)).catch(() => undefined);
	}
}
