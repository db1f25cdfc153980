/**
 * The upload handler's work (`processUpload`, the code behind POST /api/uploads/[id]/process) in a
 * process of its own, so a test can SIGKILL it mid-way. Input in FAULT_CHILD (JSON): the stack URL
 * (the fault proxy), keys, the participant's access token and the upload to process. Prints
 * `started` on stdout when it begins, then the stored photo as JSON.
 */
import { createClient } from '@supabase/supabase-js';
import { processUpload } from '../../../src/lib/server/pieces/photos.ts';

const input = JSON.parse(process.env.FAULT_CHILD ?? '{}') as {
	url: string;
	publishable: string;
	secret: string;
	token: string;
	userId: string;
	uploadId: string;
	pieceId: string;
};
const options = {
	auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
};
const supabase = createClient(input.url, input.publishable, {
	...options,
	global: { headers: { authorization: `Bearer ${input.token}` } }
});
const admin = createClient(input.url, input.secret, options);
process.stdout.write('started\n');
const photo = await processUpload({
	supabase,
	admin,
	userId: input.userId,
	uploadId: input.uploadId,
	pieceId: input.pieceId,
	role: 'front'
});
process.stdout.write(`${JSON.stringify(photo)}\n`);
