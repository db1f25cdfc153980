import type { SupabaseClient } from '@supabase/supabase-js';
import { SYNTHETIC_EMAIL_DOMAIN } from '../participant/tickets';
import { sendQuietly, type Mailer } from './mailer';
import { decisionMail, digestMail, mailLocale, type DecisionKind } from './templates';

/*
 * Both functions take the service-role client: a participant's address lives in auth.users, which
 * only the Auth admin API reads, and the digest spans every opted-in staff member. Which piece and
 * which decision always come from a moderation the staff member's own client just made.
 */

export interface DecisionNotice {
	pieceId: string;
	kind: DecisionKind;
	reasonCodes: string[];
	note: string | null;
	/** The public origin of the app, e.g. https://faden.example (no trailing slash). */
	siteUrl: string;
}

/**
 * Mails the maker of a piece about a decision, in their UI language, if they gave a real address.
 * Returns whether a mail went out; failures are logged, never thrown.
 */
export async function notifyMaker(
	admin: SupabaseClient,
	mailer: Mailer,
	notice: DecisionNotice
): Promise<boolean> {
	const { data: piece, error } = await admin
		.from('pieces')
		.select('id, maker_id, original_language, texts:piece_texts(language, title)')
		.eq('id', notice.pieceId)
		.maybeSingle();
	if (error || !piece) return false;
	const [{ data: profile }, { data: user }] = await Promise.all([
		admin.from('profiles').select('ui_language').eq('id', piece.maker_id).maybeSingle(),
		admin.auth.admin.getUserById(piece.maker_id as string)
	]);
	const email = user?.user?.email;
	if (!email || email.endsWith(`@${SYNTHETIC_EMAIL_DOMAIN}`)) return false;
	const locale = mailLocale(profile?.ui_language as string | undefined);
	const texts = (piece.texts ?? []) as { language: string; title: string }[];
	const text =
		texts.find((t) => t.language === locale) ??
		texts.find((t) => t.language === piece.original_language) ??
		texts[0];
	const url =
		notice.kind === 'published'
			? `${notice.siteUrl}/${locale}/pieces/${piece.id}`
			: `${notice.siteUrl}/${locale}/me`;
	return sendQuietly(
		mailer,
		decisionMail({
			to: email,
			locale,
			kind: notice.kind,
			title: text?.title ?? '',
			reasonCodes: notice.reasonCodes,
			note: notice.note,
			url
		})
	);
}

interface PendingDigest {
	user_id: string;
	email: string;
	ui_language: string;
	piece_ids: string[];
	titles: string[];
	newest: string;
}

/**
 * Sends every due digest of new submissions (staff who opted in, pieces submitted since their last
 * digest in workshops they still review) and records each one sent. Safe to run at any time and
 * from several places: a digest is only marked after its mail went out, so a failed mail is
 * retried on the next run. Returns how many digests went out.
 */
export async function sendSubmissionDigests(
	admin: SupabaseClient,
	mailer: Mailer,
	siteUrl: string
): Promise<{ sent: number; failed: number }> {
	const { data, error } = await admin.rpc('pending_submission_digests');
	if (error) throw error;
	let sent = 0;
	let failed = 0;
	for (const digest of (data ?? []) as PendingDigest[]) {
		const locale = mailLocale(digest.ui_language);
		const ok = await sendQuietly(
			mailer,
			digestMail({
				to: digest.email,
				locale,
				titles: digest.titles,
				url: `${siteUrl}/${locale}/staff`
			})
		);
		if (!ok) {
			failed += 1;
			continue;
		}
		const marked = await admin.rpc('mark_submission_digest_sent', {
			p_user_id: digest.user_id,
			p_until: digest.newest
		});
		if (marked.error) throw marked.error;
		sent += 1;
	}
	return { sent, failed };
}
