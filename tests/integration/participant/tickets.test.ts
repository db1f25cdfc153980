/**
 * Return tickets against the real stack: issue, sign in on another device, reissue (the old code
 * stops working), and a facilitator replacing a lost ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import {
	createReturnTicket,
	formatTicket,
	issueReturnTicketFor,
	signInWithTicket,
	TICKET_VALID_MONTHS,
	syntheticEmail
} from '../../../src/lib/server/participant/tickets.ts';
import { adminClient, client, joinAsParticipant, signInWithPassword } from './support.ts';

describe.each(testDbKinds())('return tickets on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const userIdOf = async (supabase: ReturnType<typeof client>) =>
		(await supabase.auth.getUser()).data.user?.id;

	it('signs the holder in on a second device, with any case and spacing', async () => {
		const admin = adminClient(stack);
		const { supabase, userId } = await joinAsParticipant(stack, 'Олена');
		const code = await createReturnTicket(admin, supabase, userId);
		expect(code).toMatch(/^([A-HJ-NP-Z2-9]{4}-){4}[A-HJ-NP-Z2-9]{4}$/);

		const device = client(stack);
		const typed = code.toLowerCase().replaceAll('-', ' ');
		expect(await signInWithTicket(admin, device, typed)).toBe(true);
		expect(await userIdOf(device)).toBe(userId);
		const { data: user } = await admin.auth.admin.getUserById(userId);
		expect(user.user?.email).toBe(syntheticEmail(userId));
		// The membership (what makes a participant) comes along.
		const { data: memberships } = await device.from('workshop_members').select('user_id');
		expect(memberships).toEqual([{ user_id: userId }]);
	});

	it('a new ticket replaces the old one, and an unknown code signs nobody in', async () => {
		const admin = adminClient(stack);
		const { supabase, userId } = await joinAsParticipant(stack, 'Ali');
		const first = await createReturnTicket(admin, supabase, userId);
		const second = await createReturnTicket(admin, supabase, userId);
		expect(second).not.toBe(first);

		const device = client(stack);
		expect(await signInWithTicket(admin, device, first)).toBe('ticket_replaced');
		expect(await userIdOf(device)).toBeUndefined();
		expect(await signInWithTicket(admin, device, 'AAAA-BBBB-CCCC-DDDD-EEEE')).toBe(
			'ticket_invalid'
		);
		expect(await signInWithTicket(admin, device, second)).toBe(true);
		expect(await userIdOf(device)).toBe(userId);
	});

	it('expires 12 months after its last use, counting each use afresh', async () => {
		const admin = adminClient(stack);
		const { supabase, userId } = await joinAsParticipant(stack, 'Iryna');
		const code = await createReturnTicket(admin, supabase, userId);
		const age = (months: number, column: 'created_at' | 'last_used_at') =>
			admin
				.from('return_tickets')
				.update({ [column]: new Date(Date.now() - months * 31 * 86_400_000).toISOString() })
				.eq('user_id', userId)
				.is('revoked_at', null);
		// Issued 13 months ago but used 11 months ago: still valid, and the use renews it.
		expect((await age(13, 'created_at')).error).toBeNull();
		expect((await age(11, 'last_used_at')).error).toBeNull();
		expect(await signInWithTicket(admin, client(stack), code)).toBe(true);
		expect((await age(13, 'last_used_at')).error).toBeNull();
		const device = client(stack);
		expect(await signInWithTicket(admin, device, code)).toBe('ticket_expired');
		expect(await userIdOf(device)).toBeUndefined();
		expect(TICKET_VALID_MONTHS).toBe(12);
	});

	it('the facilitator of their workshop issues a new ticket; others may not', async () => {
		const admin = adminClient(stack);
		const { supabase, userId } = await joinAsParticipant(stack, 'Sara');
		const lost = await createReturnTicket(admin, supabase, userId);

		const other = await joinAsParticipant(stack, 'Nobody');
		const refused = await other.supabase.rpc('issue_return_ticket_for', { p_user_id: userId });
		expect(refused.error?.message).toBe('not_workshop_staff');

		const neustadt = await signInWithPassword(
			stack,
			'facilitator-neustadt@demo.connecting-thread.test',
			'demo-facilitator-2026'
		);
		await expect(issueReturnTicketFor(admin, neustadt, userId)).rejects.toMatchObject({
			message: 'not_workshop_staff'
		});

		const facilitator = await signInWithPassword(
			stack,
			'facilitator@demo.connecting-thread.test',
			'demo-facilitator-2026'
		);
		const fresh = await issueReturnTicketFor(admin, facilitator, userId);
		const device = client(stack);
		expect(await signInWithTicket(admin, device, lost)).toBe('ticket_replaced');
		expect(await signInWithTicket(admin, device, fresh)).toBe(true);
		expect(await userIdOf(device)).toBe(userId);
	});

	it('formats codes for display', () => {
		expect(formatTicket('abcd efgh-jkLM npqr stuv')).toBe('ABCD-EFGH-JKLM-NPQR-STUV');
	});
});
