import { z } from 'zod';
import { ec2Service } from '../services/ec2.ts';
import { TimelineFactsSchema } from '../timeline-facts.ts';
import { type ActionEnv, defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyMetadataOptions } from '../verify/metadata-options.ts';
import {
  IMDSV2_REQUIRED,
  loadCapture,
  type MetadataCapture,
  MetadataOptionsSchema,
  metadataStateKey,
  readMetadata,
  sameOptions,
  writeOptions,
} from './shared/metadata-options.ts';
import { InstanceIdSchema } from './shared/schemas.ts';

export const RequireImdsv2InputSchema = z.object({ instanceId: InstanceIdSchema });

export const RequireImdsv2OutputSchema = z.object({
  instanceId: z.string(),
  /** The options before this incident's first change (what release restores). */
  previous: MetadataOptionsSchema,
  applied: MetadataOptionsSchema,
  changedByThisRun: z.boolean(),
  /** `DescribeInstances` `MetadataOptions` read back: HttpTokens required, hop limit 1, endpoint enabled. */
  verification: VerificationSchema,
  /** The previous options, kept on the incident's timeline entry. */
  timeline: TimelineFactsSchema,
  notes: z.array(z.string()),
});
export type RequireImdsv2Output = z.infer<typeof RequireImdsv2OutputSchema>;

/** Step "capture": the first capture of the incident wins, so release restores the options found first. */
async function captureOptions(
  env: ActionEnv,
  instanceId: string,
  current: MetadataCapture['previous'],
): Promise<MetadataCapture> {
  const saved = await loadCapture(env, instanceId);
  if (saved !== undefined) return saved;
  const capture: MetadataCapture = {
    kind: 'ec2-metadata-options',
    instanceId,
    previous: current,
    capturedAt: new Date(env.now()).toISOString(),
  };
  await env.state.save(metadataStateKey(instanceId), capture);
  return capture;
}

/**
 * Requires IMDSv2 on an instance whose role credentials were stolen or whose metadata service
 * was targeted, so the stolen-credential path (an SSRF or DNS rebinding reaching
 * `169.254.169.254` with a plain GET, or a container relaying it) is closed.
 *
 * Calls, in order: `DescribeInstances` (tags, state, `MetadataOptions`; a missing or terminated
 * instance is a `ResourceNotFoundError`); `state.save('ec2-metadata-options:<id>')` with
 * HttpTokens, HttpPutResponseHopLimit and HttpEndpoint as found, unless this incident saved them
 * already; `safety.assertContainable` with the environment approval (an instance not named
 * non-production needs this execution's approval: IMDSv1 clients and containers reaching IMDS
 * through a bridge network stop getting credentials); then `ModifyInstanceMetadataOptions`
 * `HttpTokens: required`, `HttpPutResponseHopLimit: 1`, `HttpEndpoint: enabled`, unless the
 * instance already reads so (a second run changes nothing); last `DescribeInstances` again, the
 * read-back as `verification` (see `verify/metadata-options.ts` for `pending`).
 *
 * Follows the GuardDuty guide, "Remediating a potentially compromised Amazon EC2 instance" and
 * "Remediating potentially compromised AWS credentials"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/compromised-ec2.html,
 * https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html), and the EC2 API
 * Reference, ModifyInstanceMetadataOptions
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html).
 *
 * @example
 * const { output } = await runAction(requireImdsv2Action, { instanceId: 'i-0a1b2c3d4e5f60718' }, env);
 * output.previous.httpTokens; // 'optional'
 * output.verification.verified; // true
 */
export const requireImdsv2Action = defineAction({
  id: 'require-imdsv2',
  family: 'contain',
  services: ec2Service,
  description:
    "Requires IMDSv2 with a hop limit of 1 on an instance (ModifyInstanceMetadataOptions), saving the instance's previous metadata options.",
  input: RequireImdsv2InputSchema,
  output: RequireImdsv2OutputSchema,
  iamActions: ['ec2:DescribeInstances', 'ec2:ModifyInstanceMetadataOptions'],
  target: (input) => input.instanceId,
  async run(input, env): Promise<RequireImdsv2Output> {
    const { instanceId } = input;
    const current = await readMetadata(env, instanceId);
    const { previous } = await captureOptions(env, instanceId, current.options);
    await env.safety.assertContainable({
      resource: instanceId,
      tags: current.tags,
      environmentApproval: true,
    });
    const change = !sameOptions(current.options, IMDSV2_REQUIRED);
    if (change) await writeOptions(env, instanceId, IMDSV2_REQUIRED);
    const notes = [
      'instance metadata now answers IMDSv2 session-token requests only, and the token cannot cross a network hop: software still using IMDSv1, or containers reaching IMDS through a bridge network, no longer get credentials',
      'credentials already taken stay valid until they expire: revoke the role sessions too',
    ];
    if (current.instanceState === 'stopped') {
      notes.push('the instance is stopped: EC2 applies the options when it starts');
    }
    return {
      instanceId,
      previous,
      applied: { ...IMDSV2_REQUIRED },
      changedByThisRun: change,
      verification: await verifyMetadataOptions(env, instanceId, IMDSV2_REQUIRED),
      timeline: { before: { metadataOptions: previous } },
      notes,
    };
  },
});
