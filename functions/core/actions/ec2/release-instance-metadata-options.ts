import { z } from 'zod';
import { NothingToReleaseError, ProtectedResourceError } from '../errors.ts';
import { ec2Service } from '../services/ec2.ts';
import { defineAction } from '../types.ts';
import { VerificationSchema } from '../verify/check.ts';
import { verifyMetadataOptions } from '../verify/metadata-options.ts';
import {
  loadCapture,
  MetadataOptionsSchema,
  readMetadata,
  sameOptions,
  writeOptions,
} from './shared/metadata-options.ts';
import { InstanceIdSchema } from './shared/schemas.ts';

export const ReleaseInstanceMetadataOptionsInputSchema = z.object({ instanceId: InstanceIdSchema });

export const ReleaseInstanceMetadataOptionsOutputSchema = z.object({
  instanceId: z.string(),
  /** The options put back: as require-imdsv2 found them. */
  restored: MetadataOptionsSchema,
  changedByThisRun: z.boolean(),
  /** `DescribeInstances` `MetadataOptions` read back: the restored values. */
  verification: VerificationSchema,
  warnings: z.array(z.string()),
});
export type ReleaseInstanceMetadataOptionsOutput = z.infer<typeof ReleaseInstanceMetadataOptionsOutputSchema>;

/**
 * Undoes {@link requireImdsv2Action} (`require-imdsv2.ts`) from the options it saved.
 *
 * Calls, in order: `state.load('ec2-metadata-options:<id>')` ({@link NothingToReleaseError}
 * when this incident saved none: nothing was changed), `DescribeInstances` (an instance that now
 * carries the protected tag is refused with {@link ProtectedResourceError}: Riposte changes no
 * protected resource, release included), `ModifyInstanceMetadataOptions` with the saved
 * HttpTokens, HttpPutResponseHopLimit and HttpEndpoint unless the instance already reads so, and
 * `DescribeInstances` again as `verification`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html).
 *
 * @example
 * const { output } = await runAction(releaseInstanceMetadataOptionsAction, { instanceId: 'i-0a1b2c3d4e5f60718' }, env);
 * output.restored.httpTokens; // 'optional'
 */
export const releaseInstanceMetadataOptionsAction = defineAction({
  id: 'release-instance-metadata-options',
  family: 'release',
  undoes: ['require-imdsv2'],
  services: ec2Service,
  description: "Restores an instance's metadata options saved by require-imdsv2, and reads them back.",
  input: ReleaseInstanceMetadataOptionsInputSchema,
  output: ReleaseInstanceMetadataOptionsOutputSchema,
  iamActions: ['ec2:DescribeInstances', 'ec2:ModifyInstanceMetadataOptions'],
  target: (input) => input.instanceId,
  async run(input, env): Promise<ReleaseInstanceMetadataOptionsOutput> {
    const { instanceId } = input;
    const capture = await loadCapture(env, instanceId);
    if (capture === undefined) {
      throw new NothingToReleaseError(
        `nothing to release: no metadata options change of instance ${instanceId} was recorded in this incident`,
      );
    }
    const current = await readMetadata(env, instanceId);
    if (env.safety.standing(current.tags).protected) {
      throw new ProtectedResourceError(
        `release of instance ${instanceId} refused: it now carries the protected tag; restore its metadata options by hand`,
      );
    }
    const change = !sameOptions(current.options, capture.previous);
    if (change) await writeOptions(env, instanceId, capture.previous);
    return {
      instanceId,
      restored: capture.previous,
      changedByThisRun: change,
      verification: await verifyMetadataOptions(env, instanceId, capture.previous),
      warnings:
        change && capture.previous.httpTokens === 'optional'
          ? [
              `instance ${instanceId} answers IMDSv1 again: the path its credentials were taken through is open; move its software to IMDSv2 and require it`,
            ]
          : [],
    };
  },
});
