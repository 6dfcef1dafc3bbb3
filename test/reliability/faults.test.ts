import { vi } from 'vitest';
import { faultsSuite } from './suites/faults.ts';

// Every set of clients the action runner creates is handed to the suite, which puts
// aws-sdk-client-mock stubs behind them (support/live.ts).
vi.mock('../../functions/core/actions/clients.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../functions/core/actions/clients.ts')>();
  const { clientHook } = await import('./support/client-hook.ts');
  return {
    ...original,
    createClients: (options: Parameters<typeof original.createClients>[0]) => {
      const clients = original.createClients(options);
      clientHook.current?.(clients);
      return clients;
    },
  };
});

// `npm test` scale; test/soak runs the same suite at 10×.
faultsSuite({ deniedRuns: 16 });
