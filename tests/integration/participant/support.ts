import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import sharp from 'sharp';
import type { TestStack } from '../../helpers/stack.ts';

export const DEMO_JOIN_CODE = 'FADEN-2026-DEMO';
export const JOHANNSTADT = '10000000-0000-4000-8000-000000000001';

/** A supabase-js client on the stack, keeping its session in memory like a browser tab would. */
export function client(stack: TestStack, key = stack.keys.publishable): SupabaseClient {
	return createClient(stack.url, key, {
		auth: { persistSession: true, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

export function adminClient(stack: TestStack): SupabaseClient {
	return createClient(stack.url, stack.keys.secret, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

/** An anonymous participant who joined the demo workshop by its code. */
export async function joinAsParticipant(
	stack: TestStack,
	name: string
): Promise<{ supabase: SupabaseClient; userId: string }> {
	const supabase = client(stack);
	const { data, error } = await supabase.auth.signInAnonymously();
	if (error || !data.user) throw error ?? new Error('no user');
	const joined = await supabase.rpc('join_workshop', {
		p_code: DEMO_JOIN_CODE,
		p_display_name: name,
		p_ui_language: 'uk',
		p_age_bracket: '16_plus'
	});
	if (joined.error) throw joined.error;
	return { supabase, userId: data.user.id };
}

export async function signInWithPassword(
	stack: TestStack,
	email: string,
	password: string
): Promise<SupabaseClient> {
	const supabase = client(stack);
	const { error } = await supabase.auth.signInWithPassword({ email, password });
	if (error) throw error;
	return supabase;
}

const tinyJpeg = () =>
	sharp({ create: { width: 8, height: 6, channels: 3, background: '#884422' } })
		.jpeg()
		.toBuffer();

export interface CreatedPiece {
	pieceId: string;
	photoId: string;
	masterPath: string;
	variantPath: string;
	publicPath: string;
}

/**
 * A draft piece of the caller with a title, a consent and one photo whose master, one derivative
 * and one public copy exist in storage (written with the service role, as the image pipeline and
 * publishing do).
 */
export async function createPiece(
	stack: TestStack,
	supabase: SupabaseClient,
	userId: string,
	title: string
): Promise<CreatedPiece> {
	const admin = adminClient(stack);
	const pieceId = crypto.randomUUID();
	const photoId = crypto.randomUUID();
	const check = (result: { error: unknown }) => {
		if (result.error) throw result.error;
	};
	check(
		await supabase
			.from('pieces')
			.insert({ id: pieceId, workshop_id: JOHANNSTADT, original_language: 'uk' })
	);
	const masterPath = `${userId}/${pieceId}/${photoId}/master.jpg`;
	const variantPath = `${userId}/${pieceId}/${photoId}/w480.jpg`;
	const publicPath = `${crypto.randomUUID().replaceAll('-', '')}/${photoId}/w480.jpg`;
	check(
		await supabase.from('piece_photos').insert({
			id: photoId,
			piece_id: pieceId,
			position: 0,
			master_path: masterPath,
			variants: { jpg: { '480': variantPath } },
			width: 8,
			height: 6
		})
	);
	check(await supabase.from('piece_texts').insert({ piece_id: pieceId, language: 'uk', title }));
	check(
		await supabase.from('consents').insert({
			piece_id: pieceId,
			scopes: ['online_gallery'],
			people_visible: false,
			maker_age_bracket: '16_plus',
			consent_text_version: 'test',
			consent_language: 'uk'
		})
	);
	const jpeg = await tinyJpeg();
	for (const [bucket, path] of [
		['masters', masterPath],
		['masters', variantPath],
		['public-media', publicPath]
	] as const) {
		check(await admin.storage.from(bucket).upload(path, jpeg, { contentType: 'image/jpeg' }));
	}
	check(
		await admin
			.from('piece_photos')
			.update({ public_variants: { jpg: { '480': publicPath } } })
			.eq('id', photoId)
	);
	return { pieceId, photoId, masterPath, variantPath, publicPath };
}
