import { readFileSync } from 'node:fs';
import type { PlaybookRoute } from '#core/intake/dispatch.ts';
import { TriggerSchema } from '#core/playbooks/trigger.ts';
import * as z from '#core/zod.ts';

/**
 * The playbook routes of a deployment, shipped in the ingest function's bundle rather than its
 * environment (Lambda allows 4 KB of environment in all; the routes of 200 playbooks take tens
 * of kilobytes). The file holds, for each playbook, its id, version, trigger and state machine
 * name; the ARN of the `live` alias it is started on is the deployment's state machine ARN
 * prefix (`PLAYBOOK_ARN_PREFIX`, `arn:<partition>:states:<region>:<account>:stateMachine:`)
 * plus the name plus `:live`. State machine names are deterministic (`<stack name>-<playbook
 * id>`), so nothing in the file depends on the account or the Region.
 */

/** The name of the routes file beside the bundle's `index.mjs`. */
export const ROUTES_FILE = 'playbook-routes.json';

/** The alias every playbook is started through. */
export const LIVE_ALIAS = 'live';

/** One route as the file holds it. */
export const BundledRouteSchema = z.object({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/)),
  version: z.string().check(z.regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/)),
  /** Step Functions state machine names: 1 to 80 of letters, digits, hyphens and underscores. */
  stateMachineName: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/)),
  trigger: TriggerSchema,
  /** Ids of playbooks this one takes precedence over when both match an alert (README, "Which playbooks run"). */
  supersedes: z.optional(z.array(z.string().check(z.minLength(1)))),
});
export type BundledRoute = z.infer<typeof BundledRouteSchema>;
export const BundledRoutesSchema = z.array(BundledRouteSchema);

/** The state machine ARN prefix: `arn:<partition>:states:<region>:<account>:stateMachine:`. */
export const StateMachineArnPrefixSchema = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:$/));

/** The routes file is missing, unreadable or not what the deployment wrote. */
export class RoutesFileError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RoutesFileError';
  }
}

/**
 * The dispatch routes of the bundled routes `text`: each playbook started on
 * `<arnPrefix><state machine name>:live`.
 *
 * @example
 * routesFrom('[{"id":"p","version":"1.0.0","stateMachineName":"Riposte-p","trigger":{"sources":["aws.guardduty"]}}]',
 *   'arn:aws:states:eu-west-1:111122223333:stateMachine:');
 * // [{ id: 'p', version: '1.0.0', target: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Riposte-p:live', trigger }]
 */
export function routesFrom(text: string, arnPrefix: string): PlaybookRoute[] {
  const prefix = StateMachineArnPrefixSchema.safeParse(arnPrefix);
  if (!prefix.success) {
    throw new RoutesFileError(
      `PLAYBOOK_ARN_PREFIX must be arn:<partition>:states:<region>:<account>:stateMachine:, got "${arnPrefix}"`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RoutesFileError(`${ROUTES_FILE} is not JSON`, { cause: error });
  }
  const routes = BundledRoutesSchema.safeParse(json);
  if (!routes.success) {
    const issue = routes.error.issues[0];
    throw new RoutesFileError(
      `${ROUTES_FILE} is not a list of routes: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return routes.data.map((route) => ({
    id: route.id,
    version: route.version,
    target: `${prefix.data}${route.stateMachineName}:${LIVE_ALIAS}`,
    trigger: route.trigger,
    ...(route.supersedes === undefined ? {} : { supersedes: route.supersedes }),
  }));
}

/**
 * The routes of the file `file` (a path relative to `base`, the bundle's own URL), or none when
 * `file` is undefined (a deployment without playbooks). A file that is named but missing or
 * invalid throws: the function fails at start, visibly, instead of dispatching nothing.
 */
export function loadRoutes(
  file: string | undefined,
  arnPrefix: string | undefined,
  base: string | URL,
): PlaybookRoute[] {
  if (file === undefined) return [];
  if (arnPrefix === undefined)
    throw new RoutesFileError('PLAYBOOK_ROUTES_FILE is set without PLAYBOOK_ARN_PREFIX');
  let text: string;
  try {
    text = readFileSync(new URL(file, base), 'utf8');
  } catch (error) {
    throw new RoutesFileError(`cannot read the routes file ${file}`, { cause: error });
  }
  return routesFrom(text, arnPrefix);
}
