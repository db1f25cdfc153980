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
		expect(await signInWithTicket(admin, device, first)).toBe(false);
		expect(await userIdOf(device)).toBeUndefined();
		expect(await signInWithTicket(admin, device, 'AAAA-BBBB-CCCC-DDDD-EEEE')).toBe(false);
		expect(await signInWithTicket(admin, device, second)).toBe(true);
		expect(await userIdOf(device)).toBe(userId);
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
		expect(await signInWithTicket(admin, device, lost)).toBe(false);
		expect(await signInWithTicket(admin, device, fresh)).toBe(true);
		expect(await userIdOf(device)).toBe(userId);
	});

	it('formats codes for display', () => {
		expect(formatTicket('abcd efgh-jkLM npqr stuv')).toBe('ABCD-EFGH-JKLM-NPQR-STUV');
	});
});
