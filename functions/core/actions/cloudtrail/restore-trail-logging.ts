import {
  type CloudTrailClient,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { ResourceNotFoundError } from '../errors.ts';
import { cloudTrailService } from '../services/cloudtrail.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyTrailRestored } from '../verify/cloudtrail.ts';
import { reducesLogging } from './shared/coverage.ts';
import { configurationBeforeDeletion, selectorsBeforeChange } from './shared/history.ts';
import {
  readIsLogging,
  readSelectors,
  readTrail,
  readTrailTags,
  type Selectors,
  SelectorsSchema,
  type TrailSnapshot,
  TrailSnapshotSchema,
} from './shared/trail.ts';

export const RestoreTrailLoggingInputSchema = z.object({
  /** The alert's resources (`alert.resources`): the first `AWS::CloudTrail::Trail` is the trail. */
  resources: z.array(z.object({ type: z.string(), uid: z.string(), region: z.string() })),
  /** The change reported (`alert.apiCall`): `cloudtrail:StopLogging`, `…:PutEventSelectors`…; empty when unknown. */
  change: z.string(),
  changedAt: z.iso.datetime({ offset: true }),
  /** The change's alert id (`cloudtrail:<eventID>`), left out of the history. */
  changeEventId: z.string().optional(),
});
export type RestoreTrailLoggingInput = z.infer<typeof RestoreTrailLoggingInputSchema>;

const CaptureSchema = z.object({
  kind: z.literal('cloudtrail-trail'),
  trail: TrailSnapshotSchema,
  isLogging: z.boolean(),
  selectors: SelectorsSchema,
  capturedAt: z.string(),
});
type Capture = z.infer<typeof CaptureSchema>;

export const RestoreTrailLoggingOutputSchema = z.object({
  trail: z.string(),
  /**
   * `restored`: logging (and the selectors where reduced) put back; `deleted`: the trail no longer
   * exists; `not-owned`: an organization trail of another account; `other-region`: the trail's
   * home Region is not the incident's. Only `restored` changed anything.
   */
  outcome: z.enum(['restored', 'deleted', 'not-owned', 'other-region']),
  change: z.string(),
  snapshot: TrailSnapshotSchema.nullable(),
  wasLogging: z.boolean().nullable(),
  startedLogging: z.boolean(),
  /** The selectors found (first capture of the incident), and those put back, if any. */
  selectorsFound: SelectorsSchema.nullable(),
  selectorsRestored: SelectorsSchema.nullable(),
  /** Where the earlier selectors (or a deleted trail's configuration) come from, or why unknown. */
  basis: z.string(),
  /** A deleted trail's last known configuration (CreateTrail with later UpdateTrail), when known. */
  lastKnownConfiguration: z.record(z.string(), z.unknown()).nullable(),
  /** Read back when something was restored: `GetTrailStatus` logging, `GetEventSelectors`. */
  verification: VerificationSchema.optional(),
  notes: z.array(z.string()),
  operatorActions: z.array(z.string()),
});
export type RestoreTrailLoggingOutput = z.infer<typeof RestoreTrailLoggingOutputSchema>;

type Partial = Omit<RestoreTrailLoggingOutput, 'trail' | 'change'>;
const NOTHING = {
  wasLogging: null,
  startedLogging: false,
  selectorsFound: null,
  selectorsRestored: null,
  lastKnownConfiguration: null,
};

/** Step 1: the trail the alert names. */
function trailOf(input: RestoreTrailLoggingInput): string {
  const trail = input.resources.find((r) => r.type === 'AWS::CloudTrail::Trail')?.uid;
  if (trail === undefined) throw new ResourceNotFoundError('the alert names no CloudTrail trail');
  return trail;
}

/** A trail Riposte cannot act on from here: deleted, another account's, another Region's. */
async function unreachable(
  input: RestoreTrailLoggingInput,
  name: string,
  trail: TrailSnapshot | null,
  env: ActionEnv,
): Promise<Partial | undefined> {
  if (trail === null) {
    const { configuration, basis } = await configurationBeforeDeletion(env.clients.cloudtrail, {
      name: name.split('/').at(-1) ?? name,
      ...(name.startsWith('arn:') ? { arn: name } : {}),
      changedAt: input.changedAt,
      ...(input.changeEventId === undefined
        ? {}
        : { changeEventId: input.changeEventId.replace(/^cloudtrail:/, '') }),
    });
    return {
      ...NOTHING,
      outcome: 'deleted',
      snapshot: null,
      basis,
      lastKnownConfiguration: configuration,
      notes: ['a deleted trail cannot be restarted: StartLogging needs the trail'],
      operatorActions: [
        `recreate the trail ${name}${configuration === null ? ' from its source (its configuration is older than the 90 days of history)' : ` with its last known configuration: ${JSON.stringify(configuration)}`}`,
      ],
    };
  }
  const account = env.execution.account;
  if (account !== undefined && trail.owner !== account) {
    return {
      ...NOTHING,
      outcome: 'not-owned',
      snapshot: trail,
      basis: `the trail belongs to account ${trail.owner}`,
      notes: ['a member account cannot start logging, or change the selectors of, an organization trail'],
      operatorActions: [
        `check the organization trail ${trail.arn} from its owner, the management account ${trail.owner} (aws cloudtrail get-trail-status --name ${trail.arn} --region ${trail.homeRegion})`,
      ],
    };
  }
  const region = env.execution.region;
  if (region !== undefined && trail.homeRegion !== region) {
    return {
      ...NOTHING,
      outcome: 'other-region',
      snapshot: trail,
      basis: `the trail's home Region is ${trail.homeRegion}, the incident's ${region}`,
      notes: ['a trail is started and reconfigured from its home Region only'],
      operatorActions: [`check the trail ${trail.arn} in its home Region ${trail.homeRegion}`],
    };
  }
  return undefined;
}

/** Step 3: the capture, saved before any change; a later run of the incident keeps the first. */
async function capture(trail: TrailSnapshot, env: ActionEnv): Promise<Capture> {
  const key = `cloudtrail-trail:${trail.arn}`;
  const saved = await env.state.load(key);
  const parsed = saved === undefined ? undefined : CaptureSchema.safeParse(saved);
  if (parsed?.success === true) return parsed.data;
  const made: Capture = {
    kind: 'cloudtrail-trail',
    trail,
    isLogging: await readIsLogging(env.clients.cloudtrail, trail.arn),
    selectors: await readSelectors(env.clients.cloudtrail, trail.arn),
    capturedAt: new Date(env.now()).toISOString(),
  };
  await env.state.save(key, made);
  return made;
}

/** Step 5: the selectors to put back after a PutEventSelectors that reduced logging, or why not. */
async function selectorsToRestore(
  input: RestoreTrailLoggingInput,
  saved: Capture,
  env: ActionEnv,
): Promise<{ restore: Selectors | null; basis: string; todo: string[] }> {
  if (input.change !== 'cloudtrail:PutEventSelectors')
    return { restore: null, basis: 'selectors not changed by the call', todo: [] };
  const { selectors, basis } = await selectorsBeforeChange(env.clients.cloudtrail, {
    name: saved.trail.name,
    arn: saved.trail.arn,
    changedAt: input.changedAt,
    ...(input.changeEventId === undefined
      ? {}
      : { changeEventId: input.changeEventId.replace(/^cloudtrail:/, '') }),
  });
  if (selectors === null) {
    return {
      restore: null,
      basis,
      todo: [
        `review the event selectors of ${saved.trail.arn}: the ones before the change are unknown (${basis}); now: ${JSON.stringify(saved.selectors)}`,
      ],
    };
  }
  if (!reducesLogging(selectors, saved.selectors))
    return { restore: null, basis: `${basis}: the change did not reduce logging`, todo: [] };
  return { restore: selectors, basis, todo: [] };
}

async function putSelectors(cloudtrail: CloudTrailClient, arn: string, selectors: Selectors): Promise<void> {
  await cloudtrail.send(
    new PutEventSelectorsCommand({
      TrailName: arn,
      ...(selectors.AdvancedEventSelectors === undefined
        ? { EventSelectors: selectors.EventSelectors ?? [] }
        : { AdvancedEventSelectors: selectors.AdvancedEventSelectors }),
    }),
  );
}

/**
 * Puts a trail's logging back after someone stopped or reduced it: `StartLogging`
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartLogging.html) and,
 * after a `PutEventSelectors` that reduced logging, the selectors from before it
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html),
 * established from the CloudTrail history and never guessed (see `shared/history.ts`).
 *
 * Calls, in order: `GetTrail` on the trail the alert names (by name or ARN). A deleted trail
 * (`TrailNotFoundException`) cannot be restarted: `LookupEvents` finds its last known
 * configuration (CreateTrail and later UpdateTrail) for the operator. An organization trail
 * owned by another account (a member sees the management account's trail) and a trail whose
 * home Region is not the incident's are reported, not touched. Otherwise `ListTags`,
 * `state.save('cloudtrail-trail:<arn>')` with `GetTrailStatus` and `GetEventSelectors` unless a
 * capture exists, `safety.assertContainable`, `StartLogging` when it is not logging,
 * `LookupEvents` and `PutEventSelectors` for a reducing `PutEventSelectors`, and last the
 * read-back (`GetTrailStatus` IsLogging true, `GetEventSelectors` as restored). An `UpdateTrail`
 * is reported for review: its earlier settings are not restored.
 *
 * @example
 * const { output } = await runAction(restoreTrailLoggingAction, { resources: [{ type: 'AWS::CloudTrail::Trail', uid: 'main-trail', region: 'eu-west-1' }], change: 'cloudtrail:StopLogging', changedAt: '2026-11-12T03:00:00Z' }, env);
 * output.startedLogging; // true
 */
export const restoreTrailLoggingAction = defineAction({
  id: 'restore-trail-logging',
  family: 'contain',
  services: cloudTrailService,
  description:
    'Starts a stopped trail again and restores event selectors that were reduced, from the CloudTrail history.',
  input: RestoreTrailLoggingInputSchema,
  output: RestoreTrailLoggingOutputSchema,
  iamActions: [
    'cloudtrail:GetTrail',
    'cloudtrail:LookupEvents',
    'cloudtrail:ListTags',
    'cloudtrail:GetTrailStatus',
    'cloudtrail:GetEventSelectors',
    'cloudtrail:StartLogging',
    'cloudtrail:PutEventSelectors',
  ],
  target: (input) => input.resources.find((r) => r.type === 'AWS::CloudTrail::Trail')?.uid ?? 'no trail',
  async run(input, env): Promise<RestoreTrailLoggingOutput> {
    const { cloudtrail } = env.clients;
    const name = trailOf(input);
    const trail = await readTrail(cloudtrail, name);
    const reported = await unreachable(input, name, trail, env);
    if (reported !== undefined || trail === null) {
      return { trail: name, change: input.change, ...(reported as Partial) };
    }
    const tags = await readTrailTags(cloudtrail, trail.arn);
    const saved = await capture(trail, env);
    await env.safety.assertContainable({ resource: trail.arn, tags });

    const current = await readIsLogging(cloudtrail, trail.arn);
    if (!current) await cloudtrail.send(new StartLoggingCommand({ Name: trail.arn }));
    const { restore, basis, todo } = await selectorsToRestore(input, saved, env);
    if (restore !== null) await putSelectors(cloudtrail, trail.arn, restore);
    const operatorActions = [...todo];
    if (input.change === 'cloudtrail:UpdateTrail') {
      operatorActions.push(
        `review the settings of ${trail.arn} changed by UpdateTrail (S3 bucket ${trail.s3BucketName}, multi-Region ${trail.isMultiRegionTrail}, global service events ${trail.includeGlobalServiceEvents}, log file validation ${trail.logFileValidationEnabled}, KMS key ${trail.kmsKeyId ?? 'none'}): Riposte does not restore them`,
      );
    }
    return {
      trail: name,
      change: input.change,
      outcome: 'restored',
      snapshot: trail,
      wasLogging: saved.isLogging,
      startedLogging: !current,
      selectorsFound: saved.selectors,
      selectorsRestored: restore,
      basis,
      lastKnownConfiguration: null,
      verification: await verifyTrailRestored(cloudtrail, trail.arn, restore, env),
      notes: [
        'events made while the trail was stopped were not delivered by it: look for them in the event history (90 days)',
      ],
      operatorActions,
    };
  },
});
