import type { SupabaseClient } from '@supabase/supabase-js';

/*
 * Erasing a piece or a whole account. Storage objects go first, through the Storage API (never by
 * deleting storage rows, which would orphan the files), because their paths are known only from
 * the rows; then the rows. Only the service role may delete from `masters` and `public-media`, so
 * the object removal uses the admin client, always on paths read with the user's own client (RLS
 * decides which pieces are theirs) or under the user's own folder. `admin` is that client,
 * passed in so the functions run outside SvelteKit too (integration tests).
 */

type Variants = Record<string, Record<string, string>> | null;

interface PhotoPaths {
	master_path: string;
	variants: Variants;
	public_variants: Variants;
}

function variantPaths(variants: Variants): string[] {
	return Object.values(variants ?? {}).flatMap((byWidth) => Object.values(byWidth ?? {}));
}

/** An object found by {@link walkObjects}: its full path and the storage API's metadata. */
export interface WalkedObject {
	path: string;
	metadata: Record<string, unknown> | null;
}

/** Every object under `prefix` in `bucket`, folders walked page by page, in name order. */
export async function walkObjects(
	admin: SupabaseClient,
	bucket: string,
	prefix: string
): Promise<WalkedObject[]> {
	const storage = admin.storage.from(bucket);
	const found: WalkedObject[] = [];
	const pageSize = 1000;
	for (let offset = 0; ; offset += pageSize) {
		const { data, error } = await storage.list(prefix, {
			limit: pageSize,
			offset,
			sortBy: { column: 'name', order: 'asc' }
		});
		if (error) throw new Error(`list ${bucket}/${prefix}: ${error.message}`);
		for (const entry of data) {
			const path = prefix ? `${prefix}/${entry.name}` : entry.name;
			// The list endpoint reports folders with a null id.
			if (entry.id === null) found.push(...(await walkObjects(admin, bucket, path)));
			else found.push({ path, metadata: entry.metadata ?? null });
		}
		if (data.length < pageSize) return found;
	}
}

/** The paths of every object under `prefix` in `bucket`, read with the admin client. */
export async function listAllObjects(
	admin: SupabaseClient,
	bucket: string,
	prefix: string
): Promise<string[]> {
	return (await walkObjects(admin, bucket, prefix)).map((o) => o.path);
}

export async function removeObjects(
	admin: SupabaseClient,
	bucket: string,
	paths: string[]
): Promise<void> {
	const storage = admin.storage.from(bucket);
	for (let i = 0; i < paths.length; i += 500) {
		const { error } = await storage.remove(paths.slice(i, i + 500));
		if (error) throw error;
	}
}

async function photoPathsOf(supabase: SupabaseClient, pieceIds: string[]): Promise<PhotoPaths[]> {
	if (pieceIds.length === 0) return [];
	const { data, error } = await supabase
		.from('piece_photos')
		.select('master_path, variants, public_variants')
		.in('piece_id', pieceIds);
	if (error) throw error;
	return data as PhotoPaths[];
}

/**
 * Removes the public copies of a piece's pictures (after withdrawal the rows no longer name them,
 * so pass the paths read before). Public-media is written only by the service role.
 */
export async function removePublicMedia(admin: SupabaseClient, paths: string[]): Promise<void> {
	if (paths.length > 0) await removeObjects(admin, 'public-media', paths);
}

/** Public copies of the pieces' voice notes (service-role written, readable like the pieces). */
async function voicePublicPaths(supabase: SupabaseClient, pieceIds: string[]): Promise<string[]> {
	if (pieceIds.length === 0) return [];
	const { data, error } = await supabase
		.from('piece_voice_notes')
		.select('public_path')
		.in('piece_id', pieceIds);
	if (error) throw error;
	return data.flatMap((row) => (row.public_path ? [row.public_path as string] : []));
}

/** The public-media paths of a maker's piece, read with their own client (RLS: own pieces). */
export async function publicMediaPaths(
	supabase: SupabaseClient,
	pieceId: string
): Promise<string[]> {
	return [
		...(await photoPathsOf(supabase, [pieceId])).flatMap((p) => variantPaths(p.public_variants)),
		...(await voicePublicPaths(supabase, [pieceId]))
	];
}

/**
 * Erases one of the caller's pieces: its public copies, masters and derivatives, then the rows
 * (`delete_own_piece` refuses anything not theirs with `piece_not_found`).
 */
export async function deleteOwnPiece(
	admin: SupabaseClient,
	supabase: SupabaseClient,
	userId: string,
	pieceId: string
): Promise<void> {
	const { data: piece, error } = await supabase
		.from('pieces')
		.select('id')
		.eq('id', pieceId)
		.eq('maker_id', userId)
		.maybeSingle();
	if (error) throw error;
	if (!piece) throw Object.assign(new Error('piece_not_found'), { code: 'P0001' });
	const photos = await photoPathsOf(supabase, [pieceId]);
	await removePublicMedia(admin, [
		...photos.flatMap((p) => variantPaths(p.public_variants)),
		...(await voicePublicPaths(supabase, [pieceId]))
	]);
	await removeObjects(
		admin,
		'voice-notes',
		await listAllObjects(admin, 'voice-notes', `${userId}/${pieceId}`)
	);
	const masters = new Set([
		...photos.flatMap((p) => [p.master_path, ...variantPaths(p.variants)]),
		...(await listAllObjects(admin, 'masters', `${userId}/${pieceId}`))
	]);
	await removeObjects(admin, 'masters', [...masters]);
	const { error: rpcError } = await supabase.rpc('delete_own_piece', { p_piece_id: pieceId });
	if (rpcError) throw rpcError;
}

/**
 * Erases the caller's account: public copies of their pieces, everything under their folder in
 * `masters` and `originals`, then the auth user, whose deletion cascades to every row they own.
 * The caller should sign out afterwards (the session's refresh token is gone with the user).
 */
export async function deleteOwnAccount(
	admin: SupabaseClient,
	supabase: SupabaseClient,
	userId: string
): Promise<void> {
	const { data: pieces, error } = await supabase.from('pieces').select('id').eq('maker_id', userId);
	if (error) throw error;
	const photos = await photoPathsOf(
		supabase,
		pieces.map((p) => p.id as string)
	);
	await removePublicMedia(admin, [
		...photos.flatMap((p) => variantPaths(p.public_variants)),
		...(await voicePublicPaths(
			supabase,
			pieces.map((p) => p.id as string)
		))
	]);
	await removeObjects(admin, 'masters', await listAllObjects(admin, 'masters', userId));
	await removeObjects(admin, 'voice-notes', await listAllObjects(admin, 'voice-notes', userId));
	await removeObjects(admin, 'originals', await listAllObjects(admin, 'originals', userId));
	// Service role: only the admin API deletes an auth user; the cascade removes profile, pieces,
	// texts, photos rows, consents, memberships, tickets and quotas.
	const { error: deleteError } = await admin.auth.admin.deleteUser(userId);
	if (deleteError) throw deleteError;
}
