import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.ts';

const port = Number(process.env.E2E_PORT ?? 4173);
const stackPort = Number(process.env.E2E_STACK_PORT ?? 54329);
const baseURL = process.env.PLAYWRIGHT_BASE_URL ?? `http://localhost:${port}`;

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	workers: 1,
	forbidOnly: Boolean(process.env.CI),
	retries: process.env.CI ? 1 : 0,
	timeout: 60_000,
	reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
	use: {
		baseURL,
		trace: 'retain-on-failure',
		launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS }
	},
	projects: [
		{ name: 'desktop', testIgnore: /.*\.phone\.spec\.ts/, use: { ...devices['Desktop Chrome'] } },
		{
			name: 'phone',
			testMatch: /.*\.phone\.spec\.ts/,
			use: { ...devices['Pixel 7'], defaultBrowserType: 'chromium' }
		}
	],
	// The production build on a fresh local stack, rebuilt from migrations and seed on every run.
	webServer: process.env.PLAYWRIGHT_BASE_URL
		? undefined
		: {
				command: `npx tsx scripts/start.ts --port ${port} --stack-port ${stackPort} --data-dir .local/e2e --reset --quiet`,
				url: `${baseURL}/`,
				timeout: 240_000,
				reuseExistingServer: false,
				stdout: 'pipe'
			}
});
