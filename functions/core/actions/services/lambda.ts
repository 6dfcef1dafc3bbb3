import { LambdaClient } from '@aws-sdk/client-lambda';
import type { ServiceFactories } from '../clients.ts';

/**
 * The regional Lambda client (the incident's functions: configuration, tags, reserved
 * concurrency), for actions that declare it.
 *
 * @example
 * defineAction({ id: 'throttle-lambda-function', services: { ...lambdaService }, … });
 */
export const lambdaService = {
  lambda: (config) => new LambdaClient({ ...config }),
} as const satisfies ServiceFactories;
