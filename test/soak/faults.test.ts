import { vi } from 'vitest';
import { faultsSuite } from '../reliability/suites/faults.ts';

// Every set of clients the action runner creates is handed to the suite (see
// test/reliability/faults.test.ts).
vi.mock('../../functions/core/actions/clients.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../functions/core/actions/clients.ts')>();
  const { clientHook } = await import('../reliability/support/client-hook.ts');
  return {
    ...original,
    createClients: (options: Parameters<typeof original.createClients>[0]) => {
      const clients = original.createClients(options);
      clientHook.current?.(clients);
      return clients;
    },
  };
});

// 10× the `npm test` scale (test/reliability/faults.test.ts).
faultsSuite({ deniedRuns: 160 });
