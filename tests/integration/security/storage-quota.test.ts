/**
 * Checklist C31 (quota half): the per-participant storage quota in bytes is a trigger on
 * storage.objects (migration 20261126120400), so it holds for every way a file arrives: the
 * participant's own upload, a parallel burst, and the service role writing derivatives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { adminClient, joinAsParticipant } from '../participant/support.ts';

const QUOTA = 1024 ** 3;

/** Pretends `userId` already stores `bytes` (a master row with no file behind it: setup only). */
async function fillQuota(stack: TestStack, userId: string, bytes: number): Promise<void> {
	await stack.db.query(
		`insert into storage.objects (bucket_id, name, owner_id, metadata, version)
		values ('masters', $1, $2, jsonb_build_object('size', $3::bigint, 'mimetype', 'image/jpeg'), gen_random_uuid()::text)`,
		[`${userId}/${crypto.randomUUID()}/${crypto.randomUUID()}/master.jpg`, userId, bytes]
	);
}

const bytes = (n: number) => new Blob([new Uint8Array(n).fill(7)], { type: 'image/jpeg' });

describe.each(testDbKinds())('per-participant storage quota on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('counts originals and masters, refuses the upload that would pass 1 GiB, stores nothing of it', async () => {
		const a = await joinAsParticipant(stack, 'Quota A');
		const first = await a.supabase.storage
			.from('originals')
			.upload(`${a.userId}/${crypto.randomUUID()}`, bytes(3000));
		expect(first.error).toBeNull();
		const use = await a.supabase.rpc('my_storage_use').single();
		expect(use.error).toBeNull();
		expect(use.data).toEqual({ used_bytes: 3000, quota_bytes: QUOTA });

		await fillQuota(stack, a.userId, QUOTA - 3000 - 1000);
		const tooBig = `${a.userId}/${crypto.randomUUID()}`;
		const refused = await a.supabase.storage.from('originals').upload(tooBig, bytes(1001));
		expect(refused.error?.message).toContain('storage_quota_exceeded');
		const { rows } = await stack.db.query('select 1 from storage.objects where name = $1', [
			tooBig
		]);
		expect(rows).toHaveLength(0);

		const fits = await a.supabase.storage
			.from('originals')
			.upload(`${a.userId}/${crypto.randomUUID()}`, bytes(1000));
		expect(fits.error).toBeNull();
		const full = await a.supabase.rpc('my_storage_use').single();
		expect(full.data).toEqual({ used_bytes: QUOTA, quota_bytes: QUOTA });
	});

	it('also binds the service role writing derivatives into the participant’s folder', async () => {
		const a = await joinAsParticipant(stack, 'Quota B');
		await fillQuota(stack, a.userId, QUOTA - 10);
		const admin = adminClient(stack);
		const result = await admin.storage
			.from('masters')
			.upload(`${a.userId}/${crypto.randomUUID()}/${crypto.randomUUID()}/w320.jpg`, bytes(11));
		expect(result.error?.message).toContain('storage_quota_exceeded');
	});

	it('lets exactly one of two parallel uploads take the last bytes', async () => {
		const a = await joinAsParticipant(stack, 'Quota C');
		await fillQuota(stack, a.userId, QUOTA - 1000);
		const results = await Promise.all(
			[1, 2].map(() =>
				a.supabase.storage
					.from('originals')
					.upload(`${a.userId}/${crypto.randomUUID()}`, bytes(600))
			)
		);
		expect(results.filter((r) => r.error === null)).toHaveLength(1);
		expect(results.find((r) => r.error)?.error?.message).toContain('storage_quota_exceeded');
	});

	it('is per participant: one full account does not stop another', async () => {
		const full = await joinAsParticipant(stack, 'Quota D');
		const other = await joinAsParticipant(stack, 'Quota E');
		await fillQuota(stack, full.userId, QUOTA);
		const refused = await full.supabase.storage
			.from('originals')
			.upload(`${full.userId}/${crypto.randomUUID()}`, bytes(1));
		expect(refused.error?.message).toContain('storage_quota_exceeded');
		const accepted = await other.supabase.storage
			.from('originals')
			.upload(`${other.userId}/${crypto.randomUUID()}`, bytes(5000));
		expect(accepted.error).toBeNull();
	});

	it('leaves public-media copies of published pieces out of the count', async () => {
		const a = await joinAsParticipant(stack, 'Quota F');
		await fillQuota(stack, a.userId, QUOTA);
		const admin = adminClient(stack);
		const copy = await admin.storage
			.from('public-media')
			.upload(`${a.userId}/${crypto.randomUUID()}.jpg`, bytes(2000));
		expect(copy.error).toBeNull();
	});
});
