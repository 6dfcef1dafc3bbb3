/**
 * Where the faults suite hears of every set of AWS clients the action runner creates: its test
 * file mocks `createClients` to call `clientHook.current` with them. This module imports
 * nothing, so the mock factory can load it while `clients.ts` itself is being mocked.
 */
export const clientHook: { current: ((clients: unknown) => void) | undefined } = { current: undefined };
