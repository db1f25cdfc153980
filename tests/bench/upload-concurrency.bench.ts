/**
 * upload_concurrency_peak_rss_mb: eight participants' 12-megapixel JPEGs processed at the same time
 * by the code behind `POST /api/uploads/[id]/process` (download the original from the stack's
 * Storage with the user's session, `processImage`, write master and derivatives to `masters`,
 * insert the row, delete the original), in this process, against a throw-away stack. The figure is
 * the process's peak RSS sampled every 20 ms; the baseline is the RSS after the stack started and
 * the originals were uploaded, so the ratio shows what the burst itself adds. All eight must succeed.
 */
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { startTestStack } from '../helpers/stack.ts';
import { joinAsParticipant, JOHANNSTADT } from '../integration/participant/support.ts';
import { generateTextileImage } from '../../src/lib/server/images/generate.ts';
import { processUpload } from '../../src/lib/server/pieces/photos.ts';
import { createDraft } from '../../src/lib/server/pieces/drafts.ts';
import type { Bench } from './harness.ts';

const UPLOADS = 8;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

const bench: Bench = async () => {
	const stack = await startTestStack({ kind: 'pglite' });
	try {
		const admin = createClient(stack.url, stack.keys.secret, {
			auth: { persistSession: false },
			realtime: { transport: ws as never }
		});
		const image = await generateTextileImage({
			width: 4000,
			height: 3000,
			seed: 7,
			format: 'jpeg',
			quality: 92
		});
		const jobs = [];
		for (let i = 0; i < UPLOADS; i++) {
			const p = await joinAsParticipant(stack, `Bench ${i}`);
			const pieceId = await createDraft(p.supabase, p.userId, JOHANNSTADT, 'de');
			const uploadId = crypto.randomUUID();
			const { error } = await p.supabase.storage
				.from('originals')
				.upload(`${p.userId}/${uploadId}`, image.data, { contentType: 'image/jpeg' });
			if (error) throw error;
			jobs.push({ p, pieceId, uploadId });
		}
		global.gc?.();
		const baseline = process.memoryUsage.rss();
		let peak = baseline;
		const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
		const started = performance.now();
		const results = await Promise.allSettled(
			jobs.map(({ p, pieceId, uploadId }) =>
				processUpload({
					supabase: p.supabase,
					admin,
					userId: p.userId,
					uploadId,
					pieceId,
					role: 'front'
				})
			)
		);
		const seconds = (performance.now() - started) / 1000;
		clearInterval(sampler);
		const failed = results.filter((r) => r.status === 'rejected');
		if (failed.length > 0)
			throw new Error(
				`${failed.length} of ${UPLOADS} uploads failed: ${String((failed[0] as PromiseRejectedResult).reason)}`
			);
		return [
			{
				name: 'upload_concurrency_peak_rss_mb',
				value: mb(peak),
				unit: 'MB',
				baseline: mb(baseline),
				ratio: peak / baseline,
				target: '< 1500 MB',
				note: `${UPLOADS} × ${image.width}×${image.height} JPEG (${(image.data.length / 1048576).toFixed(1)} MB each) in ${seconds.toFixed(1)} s, all stored`
			}
		];
	} finally {
		await stack.close();
	}
};

export default bench;
