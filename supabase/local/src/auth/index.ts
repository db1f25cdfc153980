// Placeholder until the auth service lands.
import type { Service, StackContext } from '../core/http.ts';
export async function createAuthService(_stack: StackContext): Promise<Service> {
	return { prefix: '/auth/v1', handle: async () => false };
}
