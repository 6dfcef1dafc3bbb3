import { vi } from 'vitest';
import { faultsSuite } from './suites/faults.ts';

// Every set of clients the action runner creates is handed to the suite, which puts
// aws-sdk-client-mock stubs behind them (support/live.ts).
vi.mock('../../functions/core/actions/clients.ts', async (importOriginal) =>
  (await import('./support/client-hook.ts')).withClientHook(await importOriginal()),
);

// `npm test` scale; test/soak runs the same suite at 10×.
faultsSuite({ deniedRuns: 16 });
