import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type LocalStore, openLocalStore } from '../../../cli/local/store.ts';
import { exampleWorld, scenario } from '../../../cli/local/testkit.ts';
import { isolateInstanceAction } from '../../../functions/core/actions/ec2/isolate-instance.ts';
import { defineAction } from '../../../functions/core/actions/types.ts';
import { FRAME_STATES } from '../../../functions/core/playbooks/compile.ts';
import { loadPlaybooks } from '../../../functions/core/playbooks/registry.ts';
import { definePlaybook, type Playbook } from '../../../functions/core/playbooks/sdk.ts';
import {
  accessAnalyzerPublicBucket,
  guardDutyAccessKeyFinding,
  guardDutyInstanceFinding,
} from '../../support/events.ts';
import { awsError, type Fault, runLive } from '../support/live.ts';

/**
 * Faults injected into the AWS calls of whole playbook runs (local engine, live-mode clients
 * behind aws-sdk-client-mock answering from the example world, or world mode where the SDK does
 * not retry): throttling and 5xx are retried, by the SDK and then by Step Functions (a partial
 * failure whose every cause is transient included), and the playbook completes, or ends failed
 * after a bounded number of attempts; access denied, refusals and partial failures with a
 * lasting cause are not retried and the playbook's catch or its frame takes them (failed,
 * notified, recorded); a task that never answers times out and the run returns; one ENI of two
 * failing leaves the other isolated.
 *
 * The suite's test file mocks `createClients` to hand each set of clients to
 * `support/client-hook.ts` (see faults.test.ts).
 */

/** The example world with every instance tagged `environment=staging`: isolated without an approval. */
function nonProductionWorld(): ReturnType<typeof exampleWorld> {
  const world = exampleWorld();
  for (const instance of world.ec2.instances) instance.tags = { ...instance.tags, environment: 'staging' };
  return world;
}

export interface FaultsScale {
  /** Random picks of (playbook, state-changing API) denied. */
  readonly deniedRuns: number;
  readonly seed?: number;
}

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ENI_PRIMARY = 'eni-0a1b2c3d4e5f60001';
const ENI_DATA = 'eni-0a1b2c3d4e5f60002';

/** The evidence snapshots the isolation took of `instance` (the world holds others of its own). */
const takenBy = (
  instance: string,
  snapshots: readonly { readonly tags?: Record<string, string> | undefined }[],
) => snapshots.filter((s) => s.tags?.['riposte:instance'] === instance);

/** The state-changing calls each containment playbook makes on its main path, by service. */
const MUTATIONS = {
  'ec2-instance-compromise': [
    ['ec2', 'ModifyInstanceAttribute'],
    ['autoScaling', 'EnterStandby'],
    ['elbv2', 'DeregisterTargets'],
    ['ec2', 'CreateSecurityGroup'],
    ['ec2', 'AuthorizeSecurityGroupIngress'],
    ['ec2', 'RevokeSecurityGroupEgress'],
    ['ec2', 'ModifyNetworkInterfaceAttribute'],
    ['ec2', 'DisassociateAddress'],
    ['ec2', 'DisassociateIamInstanceProfile'],
    ['iam', 'PutRolePolicy'],
    ['ec2', 'CreateSnapshot'],
    ['ec2', 'CreateTags'],
  ],
  'iam-credential-compromise': [
    ['iam', 'UpdateAccessKey'],
    ['iam', 'PutUserPolicy'],
    ['iam', 'DeleteLoginProfile'],
  ],
  's3-public-bucket': [['s3', 'PutPublicAccessBlock']],
} as const;
type Contained = keyof typeof MUTATIONS;

const EVENTS: Record<Contained, () => unknown> = {
  'ec2-instance-compromise': () => guardDutyInstanceFinding({ instanceId: INSTANCE }),
  'iam-credential-compromise': () => guardDutyAccessKeyFinding(),
  's3-public-bucket': () => accessAnalyzerPublicBucket(),
};

/** EC2 says UnauthorizedOperation; IAM, S3, Auto Scaling and ELB say AccessDenied. */
function deniedError(service: string): () => Error {
  return () => awsError(service === 'ec2' ? 'UnauthorizedOperation' : 'AccessDenied', 403);
}

const FAILED_FRAME = [FRAME_STATES.notifyFailure, FRAME_STATES.recordFailure, FRAME_STATES.failed];

/** An action that never answers: the task's timeout is the only way out. */
const hangForever = defineAction({
  id: 'hang-forever',
  family: 'contain',
  description: 'Never resolves (fault test).',
  input: z.object({}),
  output: z.object({}),
  iamActions: [],
  target: () => 'nothing',
  run: () => new Promise<never>(() => undefined),
});

function hangingPlaybook(handled: boolean): Playbook {
  return definePlaybook({
    id: handled ? 'hang-handled' : 'hang-unhandled',
    version: '1.0.0',
    title: 'A step that never answers',
    description: 'Times out (fault test).',
    owner: 'test',
    changelog: { '1.0.0': 'Hang.' },
    trigger: { manual: true },
    timeoutSeconds: 600,
    steps: (flow) =>
      flow
        .run('hang', hangForever, () => ({}), {
          name: 'Hang',
          timeoutSeconds: 1,
          ...(handled
            ? {
                catch: [
                  {
                    errors: ['States.Timeout'],
                    recover: (f) =>
                      f.notify('timedOut', { subject: 'Step timed out' }, { name: 'Notify: timed out' }),
                  },
                ],
              }
            : {}),
        })
        .notify('done', { subject: 'Done' }, { name: 'Notify: done' }),
  });
}

export function faultsSuite(scale: FaultsScale): void {
  const seed = scale.seed ?? Date.now() % 2_147_483_647;

  describe(`faults injected into AWS calls (seed ${seed})`, () => {
    let store: LocalStore;
    let playbooks: Map<string, Playbook>;
    beforeAll(async () => {
      store = await openLocalStore();
      playbooks = new Map((await loadPlaybooks()).map((p) => [p.id, p]));
    });
    afterAll(async () => {
      await store.close();
    });
    const playbook = (id: string): Playbook => playbooks.get(id) as Playbook;

    describe('throttling and 5xx are retried and the playbook completes', () => {
      it('retries a throttled ENI change in the SDK (RequestLimitExceeded twice) and records each change once', async () => {
        // Prepare
        const first = (p: Readonly<Record<string, unknown>>) => p.NetworkInterfaceId === ENI_PRIMARY;
        const faults: Fault[] = [
          {
            service: 'ec2',
            api: 'ModifyNetworkInterfaceAttribute',
            when: first,
            times: 2,
            error: () => awsError('RequestLimitExceeded', 503),
          },
        ];

        // Act
        const run = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'live',
          faults,
        });

        // Assess
        expect(run.result.status).toBe('SUCCEEDED');
        expect(run.result.path).toContain('Notify: isolated');
        // On the wire: two throttled attempts, then the primary ENI's two moves (untrack, isolation).
        expect(run.aws.sent('ModifyNetworkInterfaceAttribute', first)).toHaveLength(2 + 2);
        const isolate = run.result.actions.filter((a) => a.action === 'isolate-instance');
        expect(isolate).toHaveLength(1);
        // Recorded: each move once, two per ENI.
        expect(isolate[0]?.calls.filter((c) => c.api === 'ModifyNetworkInterfaceAttribute')).toHaveLength(4);
        expect(run.incident.playbookStatus).toBe('completed');
      });

      it('retries throttled IAM calls (ThrottlingException twice) and contains the user', async () => {
        // Act
        const run = await runLive(store, {
          playbook: playbook('iam-credential-compromise'),
          event: EVENTS['iam-credential-compromise'](),
          mode: 'live',
          faults: [
            {
              service: 'iam',
              api: 'UpdateAccessKey',
              times: 2,
              error: () => awsError('ThrottlingException', 400),
            },
          ],
        });

        // Assess
        expect(run.result.status).toBe('SUCCEEDED');
        expect(run.result.path).toContain('Notify: user contained');
        const keys = run.aws.world.state.iam.users['payments-deployer']?.accessKeys ?? [];
        expect(keys.map((k) => k.status)).toEqual(['Inactive', 'Inactive']);
        expect(run.aws.sent('UpdateAccessKey').filter((c) => c.failed !== undefined)).toHaveLength(2);
      });

      it('retries 5xx (InternalError) on snapshots and on Block Public Access', async () => {
        // Act
        const ec2 = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'live',
          faults: [
            { service: 'ec2', api: 'CreateSnapshot', times: 2, error: () => awsError('InternalError', 500) },
          ],
        });
        const s3 = await runLive(store, {
          playbook: playbook('s3-public-bucket'),
          event: EVENTS['s3-public-bucket'](),
          mode: 'live',
          faults: [
            {
              service: 's3',
              api: 'PutPublicAccessBlock',
              times: 2,
              error: () => awsError('InternalError', 500),
            },
          ],
        });

        // Assess
        expect([ec2.result.status, s3.result.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
        expect(ec2.aws.sent('CreateSnapshot').filter((c) => c.failed === undefined)).toHaveLength(2);
        expect(s3.aws.world.state.s3.buckets['payments-exports']?.publicAccessBlock).toEqual({
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        });
      });

      it('retries the step in Step Functions when throttling outlasts the SDK, and the isolation completes', async () => {
        // Prepare: world mode has no SDK retry, the action sees the throttling error itself
        const faults: Fault[] = [
          {
            service: 'ec2',
            api: 'CreateSnapshot',
            times: 1,
            error: () => awsError('RequestLimitExceeded', 503),
          },
        ];

        // Act
        const run = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'world',
          faults,
        });

        // Assess
        expect(run.result.status).toBe('SUCCEEDED');
        // The snapshot's throttling was collected with the other items: every failure being
        // transient, the action reports it as TransientAwsError, which the step's retry matches.
        expect(run.result.stepErrors).toEqual([
          expect.stringMatching(/^TransientAwsError in "Isolate and snapshot": .*RequestLimitExceeded/),
        ]);
        expect(run.result.actions.filter((a) => a.action === 'isolate-instance')).toHaveLength(2);
        const enis = run.aws.world.state.ec2.networkInterfaces.filter(
          (e) => e.attachment?.instanceId === INSTANCE,
        );
        const isolation = run.aws.world.state.ec2.securityGroups.find((g) =>
          g.groupName.startsWith('riposte-isolation-'),
        );
        expect(enis.map((e) => e.groups)).toEqual([[isolation?.groupId], [isolation?.groupId]]);
        expect(takenBy(INSTANCE, run.aws.world.state.ec2.snapshots)).toHaveLength(2);
      });

      it('retries the step when one ENI of two is throttled, and the second run isolates it', async () => {
        // Prepare: the primary ENI's move to the isolation group is throttled once
        let moves = 0;
        const isolationMove = (p: Readonly<Record<string, unknown>>) => {
          if (p.NetworkInterfaceId !== ENI_PRIMARY) return false;
          moves += 1;
          return moves === 2; // 1: to the untrack group, 2: to the isolation group
        };

        // Act
        const run = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'world',
          faults: [
            {
              service: 'ec2',
              api: 'ModifyNetworkInterfaceAttribute',
              when: isolationMove,
              times: 1,
              error: () => awsError('RequestLimitExceeded', 503),
            },
          ],
        });

        // Assess
        const state = run.aws.world.state.ec2;
        const isolation = state.securityGroups.find((g) => g.groupName.startsWith('riposte-isolation-'));
        expect(run.result.status).toBe('SUCCEEDED');
        expect(run.result.path).toContain('Notify: isolated');
        expect(run.result.stepErrors).toEqual([
          expect.stringMatching(new RegExp(`^TransientAwsError in "Isolate and snapshot": .*${ENI_PRIMARY}`)),
        ]);
        expect(run.result.actions.filter((a) => a.action === 'isolate-instance')).toHaveLength(2);
        for (const eni of [ENI_PRIMARY, ENI_DATA]) {
          expect(state.networkInterfaces.find((e) => e.networkInterfaceId === eni)?.groups).toEqual([
            isolation?.groupId,
          ]);
        }
        // Resumed from what was done: the snapshots of the first run were not taken again.
        expect(takenBy(INSTANCE, state.snapshots)).toHaveLength(2);
        expect(run.incident.playbookStatus).toBe('completed');
      });

      it('ends failed, notified and recorded after a bounded number of attempts when throttling never ends', async () => {
        // Prepare: every snapshot is throttled, on every attempt
        const faults: Fault[] = [
          { service: 'ec2', api: 'CreateSnapshot', error: () => awsError('RequestLimitExceeded', 503) },
        ];

        // Act
        const run = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'world',
          faults,
        });

        // Assess: the first attempt and three retries, then the failure frame; nothing left running
        expect(run.result.status).toBe('FAILED');
        expect(run.result.actions.filter((a) => a.action === 'isolate-instance')).toHaveLength(4);
        expect(run.result.stepErrors).toHaveLength(4);
        for (const error of run.result.stepErrors ?? []) {
          expect(error).toMatch(/^TransientAwsError in "Isolate and snapshot": .*RequestLimitExceeded/);
        }
        expect(run.result.path).toEqual(expect.arrayContaining(FAILED_FRAME));
        expect(run.result.path).not.toContain('Notify: isolated');
        expect(run.result.actions.at(-1)?.action).toBe('notify');
        expect(run.incident).toMatchObject({ playbookStatus: 'failed', failure: 'TransientAwsError' });
        expect(run.ms).toBeLessThan(30_000);
      });

      it('retries a throttled step with the author kit (failAction) in every containment playbook', async () => {
        // Act
        const results = await Promise.all([
          scenario(playbook('ec2-instance-compromise'))
            .event(EVENTS['ec2-instance-compromise']())
            .approve()
            .failAction('isolate-instance', 'RequestLimitExceeded', 2)
            .run(),
          scenario(playbook('iam-credential-compromise'))
            .event(EVENTS['iam-credential-compromise']())
            .failAction('contain-iam-user', 'ThrottlingException', 2)
            .run(),
          scenario(playbook('s3-public-bucket'))
            .event(EVENTS['s3-public-bucket']())
            .failAction('block-bucket-public-access', 'InternalError', 2)
            .run(),
        ]);

        // Assess
        expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
        expect(results.map((r) => r.stepErrors?.length)).toEqual([2, 2, 2]);
      });
    });

    describe('access denied is not retried; the frame catches it', () => {
      it(`ends failed, notified and recorded for ${scale.deniedRuns} random picks of the denied state-changing call`, async () => {
        // Prepare
        const picks = fc.constantFrom(
          ...Object.entries(MUTATIONS).flatMap(([id, calls]) =>
            calls.map(([service, api]) => ({ id: id as Contained, service, api })),
          ),
        );

        // Act & Assess
        await fc.assert(
          fc.asyncProperty(picks, async ({ id, service, api }) => {
            const run = await runLive(store, {
              playbook: playbook(id),
              event: EVENTS[id](),
              mode: 'live',
              faults: [{ service, api, error: deniedError(service) }],
            });
            const denied = run.aws.sent(api).filter((c) => c.failed !== undefined);
            expect(run.result.status).toBe('FAILED');
            expect(run.result.path).toEqual(expect.arrayContaining(FAILED_FRAME));
            expect(run.result.stepErrors?.[0]).toMatch(/^(AwsAccessDeniedError|PartialFailureError) in /);
            expect(run.result.stepErrors).toHaveLength(1);
            // Each denied call was sent once: neither the SDK nor Step Functions retried it.
            expect(denied.length).toBeGreaterThan(0);
            expect(new Set(denied.map((c) => JSON.stringify(c.params))).size).toBe(denied.length);
            expect(run.incident.playbookStatus).toBe('failed');
          }),
          { numRuns: scale.deniedRuns, seed, endOnFailure: true },
        );
      });

      it('does not retry a partial failure with a lasting cause (one ENI refused, a snapshot throttled): the frame catches it', async () => {
        // Prepare: EC2 refuses one ENI's move for good (not a permission problem, which stops the action)
        let moves = 0;
        const dataIsolationMove = (p: Readonly<Record<string, unknown>>) => {
          if (p.NetworkInterfaceId !== ENI_DATA) return false;
          moves += 1;
          return moves === 2; // 1: to the untrack group, 2: to the isolation group
        };
        const world = exampleWorld();
        const originalData = world.ec2.networkInterfaces.find(
          (e) => e.networkInterfaceId === ENI_DATA,
        )?.groups;

        // Act
        const run = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'world',
          world,
          faults: [
            {
              service: 'ec2',
              api: 'ModifyNetworkInterfaceAttribute',
              when: dataIsolationMove,
              times: 1,
              error: () => awsError('InvalidParameterValue', 400),
            },
            {
              service: 'ec2',
              api: 'CreateSnapshot',
              times: 1,
              error: () => awsError('RequestLimitExceeded', 503),
            },
          ],
        });

        // Assess
        const state = run.aws.world.state.ec2;
        const isolation = state.securityGroups.find((g) => g.groupName.startsWith('riposte-isolation-'));
        expect(run.result.status).toBe('FAILED');
        expect(run.result.stepErrors).toEqual([
          expect.stringMatching(
            new RegExp(
              `^PartialFailureError in "Isolate and snapshot": .*${ENI_DATA}: InvalidParameterValue`,
            ),
          ),
        ]);
        expect(run.result.actions.filter((a) => a.action === 'isolate-instance')).toHaveLength(1);
        // Each fault hit once: neither the refused move nor the throttled snapshot was tried again.
        expect(run.aws.calls.filter((c) => c.failed !== undefined).map((c) => c.failed)).toEqual([
          'InvalidParameterValue',
          'RequestLimitExceeded',
        ]);
        expect(run.result.path).toEqual(expect.arrayContaining(FAILED_FRAME));
        expect(state.networkInterfaces.find((e) => e.networkInterfaceId === ENI_PRIMARY)?.groups).toEqual([
          isolation?.groupId,
        ]);
        expect(state.networkInterfaces.find((e) => e.networkInterfaceId === ENI_DATA)?.groups).toEqual(
          originalData,
        );
        expect(run.incident).toMatchObject({ playbookStatus: 'failed', failure: 'PartialFailureError' });
      });

      it("hands a lasting partial failure to the step's own catch, unretried", async () => {
        // Prepare: a staging instance (this test playbook asks no approval, so production would be refused)
        const world = nonProductionWorld();
        const catching = definePlaybook({
          id: 'isolate-or-escalate',
          version: '1.0.0',
          title: 'Isolate, escalate what is left',
          description: 'Catches a partial isolation (fault test).',
          owner: 'test',
          changelog: { '1.0.0': 'Isolate; escalate a partial failure.' },
          trigger: { manual: true },
          steps: (flow) =>
            flow
              .run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
                name: 'Isolate',
                catch: [
                  {
                    errors: ['PartialFailureError'],
                    recover: (f) =>
                      f
                        .notify('partly', { subject: 'Partly isolated' }, { name: 'Notify: partly isolated' })
                        .succeed('stopPartly', { name: 'Stop: partly isolated' }),
                  },
                ],
              })
              .notify('isolated', { subject: 'Isolated' }, { name: 'Notify: isolated' }),
        });

        // Act
        const run = await runLive(store, {
          playbook: catching,
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'world',
          world,
          faults: [
            {
              service: 'ec2',
              api: 'CreateSnapshot',
              times: 1,
              error: () => awsError('IncorrectState', 400),
            },
          ],
        });

        // Assess
        expect(run.result.status).toBe('SUCCEEDED');
        expect(run.result.path).toEqual(
          expect.arrayContaining(['Isolate', 'Notify: partly isolated', 'Stop: partly isolated']),
        );
        expect(run.result.path).not.toContain('Notify: isolated');
        expect(run.result.stepErrors).toEqual([expect.stringMatching(/^PartialFailureError in "Isolate": /)]);
        expect(run.result.actions.filter((a) => a.action === 'isolate-instance')).toHaveLength(1);
      });

      it("keeps a playbook's catch-all retry off access denied and the safety rails' refusals", async () => {
        // Prepare
        const retryingEverything = definePlaybook({
          id: 'retry-everything',
          version: '1.0.0',
          title: 'Retry whatever fails',
          description: 'A catch-all retry (fault test).',
          owner: 'test',
          changelog: { '1.0.0': 'Isolate, retrying anything.' },
          trigger: { manual: true },
          steps: (flow) =>
            flow
              .run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
                name: 'Isolate',
                retry: [{ errors: ['States.ALL'], maxAttempts: 3 }],
                catch: [
                  {
                    errors: ['States.ALL'],
                    recover: (f) =>
                      f
                        .notify('notIsolated', { subject: 'Not isolated' }, { name: 'Notify: not isolated' })
                        .succeed('stop', { name: 'Stop' }),
                  },
                ],
              })
              .notify('isolated', { subject: 'Isolated' }, { name: 'Notify: isolated' }),
        });
        const refusals = [
          'AwsAccessDeniedError',
          'ProtectedResourceError',
          'BlastRadiusExceededError',
          'PartialFailureError',
        ];

        // Act
        const [unknown, ...refused] = await Promise.all(
          ['SomethingOdd', ...refusals].map((name) =>
            scenario(retryingEverything)
              .world(nonProductionWorld())
              .event(EVENTS['ec2-instance-compromise']())
              .failAction('isolate-instance', name, 2)
              .run(),
          ),
        );

        // Assess: an error of no known kind is retried by the catch-all; the others never are
        expect(unknown?.path).toContain('Notify: isolated');
        expect(unknown?.actions.filter((a) => a.action === 'isolate-instance')).toHaveLength(3);
        for (const result of refused) {
          expect(result.path).toContain('Notify: not isolated');
          expect(result.actions.filter((a) => a.action === 'isolate-instance')).toHaveLength(1);
        }
      });

      it('turns UnauthorizedOperation into AwsAccessDeniedError, sent once, and stops before the network', async () => {
        // Act
        const run = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'live',
          faults: [{ service: 'ec2', api: 'ModifyInstanceAttribute', error: deniedError('ec2') }],
        });

        // Assess
        expect(run.result.status).toBe('FAILED');
        expect(run.result.stepErrors).toEqual([
          expect.stringMatching(
            /^AwsAccessDeniedError in "Isolate and snapshot": ec2:ModifyInstanceAttribute was denied/,
          ),
        ]);
        expect(run.result.path).toEqual(expect.arrayContaining(FAILED_FRAME));
        expect(run.result.path).not.toContain('Notify: isolated');
        expect(run.aws.sent('ModifyInstanceAttribute')).toHaveLength(1);
        expect(run.aws.sent('ModifyNetworkInterfaceAttribute')).toEqual([]);
        expect(run.incident).toMatchObject({ playbookStatus: 'failed', failure: 'AwsAccessDeniedError' });
      });
    });

    describe('a task that never answers times out', () => {
      it('hands States.Timeout to the step catch, and the run goes on', async () => {
        // Act
        const run = await runLive(store, {
          playbook: hangingPlaybook(true),
          event: guardDutyInstanceFinding(),
          mode: 'world',
          extraActions: [hangForever],
        });

        // Assess
        expect(run.result.status).toBe('SUCCEEDED');
        expect(run.result.path).toEqual(
          expect.arrayContaining(['Hang', 'Notify: timed out', 'Notify: done']),
        );
        expect(run.incident.playbookStatus).toBe('completed');
        expect(run.ms).toBeLessThan(30_000);
      });

      it('fails the run through the frame when no step catches it: notified, recorded, nothing left running', async () => {
        // Act
        const run = await runLive(store, {
          playbook: hangingPlaybook(false),
          event: guardDutyInstanceFinding(),
          mode: 'world',
          extraActions: [hangForever],
        });

        // Assess
        expect(run.result.status).toBe('FAILED');
        expect(run.result.path).toEqual(expect.arrayContaining(['Hang', ...FAILED_FRAME]));
        expect(run.result.path).not.toContain('Notify: done');
        expect(run.incident).toMatchObject({ playbookStatus: 'failed', failure: 'States.Timeout' });
        expect(run.ms).toBeLessThan(30_000);
      });
    });

    describe('one ENI of several failing', () => {
      it('isolates the other ENI, puts the failed one back, and fails the step with PartialFailureError', async () => {
        // Prepare: the primary ENI vanishes between the untrack and the isolation steps
        const world = exampleWorld();
        const originalPrimary = world.ec2.networkInterfaces.find(
          (e) => e.networkInterfaceId === ENI_PRIMARY,
        )?.groups;
        let moves = 0;
        const secondMove = (p: Readonly<Record<string, unknown>>) => {
          if (p.NetworkInterfaceId !== ENI_PRIMARY) return false;
          moves += 1;
          return moves === 2; // 1: to the untrack group, 2: to the isolation group
        };

        // Act
        const run = await runLive(store, {
          playbook: playbook('ec2-instance-compromise'),
          event: EVENTS['ec2-instance-compromise'](),
          mode: 'live',
          world,
          faults: [
            {
              service: 'ec2',
              api: 'ModifyNetworkInterfaceAttribute',
              when: secondMove,
              times: 1,
              error: () => awsError('InvalidNetworkInterfaceID.NotFound', 400),
            },
          ],
        });

        // Assess
        const state = run.aws.world.state.ec2;
        const isolation = state.securityGroups.find((g) => g.groupName.startsWith('riposte-isolation-'));
        expect(run.result.status).toBe('FAILED');
        expect(run.result.stepErrors).toEqual([
          expect.stringMatching(/^PartialFailureError in "Isolate and snapshot"/),
        ]);
        expect(run.result.path).toEqual(expect.arrayContaining(FAILED_FRAME));
        expect(state.networkInterfaces.find((e) => e.networkInterfaceId === ENI_DATA)?.groups).toEqual([
          isolation?.groupId,
        ]);
        expect(state.networkInterfaces.find((e) => e.networkInterfaceId === ENI_PRIMARY)?.groups).toEqual(
          originalPrimary,
        );
        // The rest of the isolation still ran.
        expect(takenBy(INSTANCE, state.snapshots)).toHaveLength(2);
        expect(run.incident.playbookStatus).toBe('failed');
      });
    });
  });
}
