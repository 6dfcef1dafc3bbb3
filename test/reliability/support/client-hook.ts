/**
 * Where the faults suite hears of every set of AWS clients the action runner creates: its test
 * file mocks `createClients` to call `clientHook.current` with them. This module imports
 * nothing at run time (types only), so the mock factory can load it while `clients.ts` itself is
 * being mocked.
 */
export const clientHook: { current: ((clients: unknown) => void) | undefined } = { current: undefined };

type ClientsModule = typeof import('../../../functions/core/actions/clients.ts');

/**
 * The `clients.ts` module with `createClients` handing every set it builds to
 * {@link clientHook}: the factory of the faults suite's `vi.mock`.
 *
 * @example
 * vi.mock('../../functions/core/actions/clients.ts', async (importOriginal) =>
 *   (await import('./support/client-hook.ts')).withClientHook(await importOriginal()),
 * );
 */
export function withClientHook(original: ClientsModule): ClientsModule {
  return {
    ...original,
    createClients: (options) => {
      const clients = original.createClients(options);
      clientHook.current?.(clients);
      return clients;
    },
  };
}
