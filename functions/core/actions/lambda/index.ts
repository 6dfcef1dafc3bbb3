import type { ActionDefinition } from '../types.ts';
import { enrichLambdaFunctionAction } from './enrich-lambda-function.ts';
import { releaseLambdaFunctionAction } from './release-lambda-function.ts';
import { throttleLambdaFunctionAction } from './throttle-lambda-function.ts';

/**
 * Lambda actions: enrich a function, throttle it to zero reserved concurrency (its configuration
 * and code location kept as evidence), and put its concurrency back on release.
 */
export const LAMBDA_ACTIONS: readonly ActionDefinition[] = [
  enrichLambdaFunctionAction,
  throttleLambdaFunctionAction,
  releaseLambdaFunctionAction,
] as readonly ActionDefinition[];
