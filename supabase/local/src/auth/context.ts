/** What every auth handler gets: the stack, the settings, the outbox and the rate limiter. */
import type { StackContext } from '../core/http.ts';
import type { AuthSettings } from './settings.ts';
import type { Outbox } from './outbox.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface AuthContext {
	stack: StackContext;
	settings: AuthSettings;
	outbox: Outbox;
	limiter: RateLimiter;
}
