import { vi } from 'vitest';
import { faultsSuite } from '../reliability/suites/faults.ts';

// Every set of clients the action runner creates is handed to the suite (see
// test/reliability/faults.test.ts).
vi.mock('../../functions/core/actions/clients.ts', async (importOriginal) =>
  (await import('../reliability/support/client-hook.ts')).withClientHook(await importOriginal()),
);

// 10× the `npm test` scale (test/reliability/faults.test.ts).
faultsSuite({ deniedRuns: 160 });
