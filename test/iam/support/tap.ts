import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';

/**
 * Records the AWS calls Riposte's own code sends, with which function sent them. The local
 * runtime runs every function in one process: an {@link AsyncLocalStorage} carries the function
 * (`contain`, `ingest`...) into the calls made on its behalf.
 */

export interface TappedCall {
  /** The function whose role makes the call: an action family, `ingest`, `approval`. */
  readonly principal: string;
  readonly origin: string;
  readonly service: string;
  readonly api: string;
  readonly params: Record<string, unknown>;
}

export const running = new AsyncLocalStorage<{ readonly principal: string; readonly origin: string }>();

export const tapped: TappedCall[] = [];

/** Runs `fn` as the function `principal` (calls it makes are recorded as its). */
export function runAs<T>(principal: string, origin: string, fn: () => T): T {
  return running.run({ principal, origin }, fn);
}

/** Records a call, attributed to the running function (or `fallback`). */
export function record(
  service: string,
  api: string,
  params: Record<string, unknown>,
  fallback?: string,
): void {
  const current = running.getStore();
  const principal = current?.principal ?? fallback;
  if (principal === undefined) throw new Error(`${service} ${api} was sent outside any function`);
  tapped.push({
    principal,
    origin: current?.origin ?? principal,
    service,
    api,
    params: structuredClone(params),
  });
}

type Answer = (api: string, input: Record<string, unknown>) => Record<string, unknown>;

/**
 * Makes `client` record every command and answer it with `answer` (nothing reaches AWS). The
 * same client class and commands as in production: only the transport is replaced.
 */
export function tapClient<C extends { middlewareStack: unknown }>(
  client: C,
  service: string,
  answer: Answer,
): C {
  const stack = client.middlewareStack as MiddlewareStack<object, MetadataBearer>;
  stack.add(
    (_next, context) => async (args) => {
      const api = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = { ...(args.input as Record<string, unknown>) };
      record(service, api, input);
      return { output: { $metadata: {}, ...answer(api, input) } as MetadataBearer, response: {} };
    },
    { step: 'initialize', name: 'iamEvalTap', priority: 'high' },
  );
  return client;
}

/** Records what an action's own calls were (its response's `calls`, with their service). */
export function recordActionCalls(
  principal: string,
  origin: string,
  calls: readonly {
    readonly service: string;
    readonly api: string;
    readonly params: Readonly<Record<string, unknown>>;
  }[],
): void {
  for (const call of calls) {
    tapped.push({
      principal,
      origin,
      service: call.service,
      api: call.api,
      params: structuredClone({ ...call.params }),
    });
  }
}
