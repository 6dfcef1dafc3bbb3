import {
  type InstanceMetadataOptionsResponse,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.ts';
import type { ActionEnv } from '../../types.ts';
import { describeInstance } from './capture.ts';
import { tagRecord } from './items.ts';

/**
 * The instance metadata service (IMDS) options require-imdsv2 changes and its release restores,
 * as `DescribeInstances` reads them and `ModifyInstanceMetadataOptions` writes them
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html).
 */

export const MetadataOptionsSchema = z.object({
  /** `required`: IMDSv2 only (session tokens); `optional`: IMDSv1 answers too. */
  httpTokens: z.enum(['optional', 'required']),
  /** How many network hops the token's PUT response may travel (1: the instance itself only). */
  httpPutResponseHopLimit: z.number().int().min(1).max(64),
  httpEndpoint: z.enum(['enabled', 'disabled']),
});
export type MetadataOptions = z.infer<typeof MetadataOptionsSchema>;

/** What containment sets: IMDSv2 only, tokens that cannot leave the instance, the endpoint on. */
export const IMDSV2_REQUIRED: MetadataOptions = {
  httpTokens: 'required',
  httpPutResponseHopLimit: 1,
  httpEndpoint: 'enabled',
};

/** Saved under `ec2-metadata-options:<instance id>` before the first change: what release restores. */
export const MetadataCaptureSchema = z.object({
  kind: z.literal('ec2-metadata-options'),
  instanceId: z.string(),
  previous: MetadataOptionsSchema,
  capturedAt: z.string(),
});
export type MetadataCapture = z.infer<typeof MetadataCaptureSchema>;

export const metadataStateKey = (instanceId: string): string => `ec2-metadata-options:${instanceId}`;

/** The instance as the metadata actions need it: tags, state, and its metadata options now. */
export interface MetadataReading {
  readonly tags: Record<string, string>;
  readonly instanceState: string | null;
  readonly options: MetadataOptions;
  /** `pending` (being applied) or `applied`, as `DescribeInstances` says. */
  readonly optionsState: string | null;
}

/** The options block of a `DescribeInstances` answer; AWS's defaults fill what it leaves out. */
export function optionsOf(block: InstanceMetadataOptionsResponse | undefined): MetadataOptions {
  return {
    httpTokens: block?.HttpTokens === 'required' ? 'required' : 'optional',
    httpPutResponseHopLimit: block?.HttpPutResponseHopLimit ?? 1,
    httpEndpoint: block?.HttpEndpoint === 'disabled' ? 'disabled' : 'enabled',
  };
}

/**
 * `DescribeInstances` of one instance: a missing or terminated instance is a
 * `ResourceNotFoundError`.
 *
 * @example
 * const { options } = await readMetadata(env, 'i-0a1b2c3d4e5f60718'); // { httpTokens: 'optional', … }
 */
export async function readMetadata(env: ActionEnv, instanceId: string): Promise<MetadataReading> {
  const { instance } = await describeInstance(env.clients.ec2, instanceId);
  return {
    tags: tagRecord(instance.Tags),
    instanceState: instance.State?.Name ?? null,
    options: optionsOf(instance.MetadataOptions),
    optionsState: instance.MetadataOptions?.State ?? null,
  };
}

export function sameOptions(a: MetadataOptions, b: MetadataOptions): boolean {
  return (
    a.httpTokens === b.httpTokens &&
    a.httpPutResponseHopLimit === b.httpPutResponseHopLimit &&
    a.httpEndpoint === b.httpEndpoint
  );
}

/** `ModifyInstanceMetadataOptions` with the three options (the others are left as they are). */
export async function writeOptions(
  env: ActionEnv,
  instanceId: string,
  options: MetadataOptions,
): Promise<void> {
  await env.clients.ec2.send(
    new ModifyInstanceMetadataOptionsCommand({
      InstanceId: instanceId,
      HttpTokens: options.httpTokens,
      HttpPutResponseHopLimit: options.httpPutResponseHopLimit,
      HttpEndpoint: options.httpEndpoint,
    }),
  );
}

/** The capture saved for the instance in this incident, if any. */
export async function loadCapture(env: ActionEnv, instanceId: string): Promise<MetadataCapture | undefined> {
  const key = metadataStateKey(instanceId);
  const saved = await env.state.load(key);
  if (saved === undefined) return undefined;
  const parsed = MetadataCaptureSchema.safeParse(saved);
  if (!parsed.success) {
    throw new InvalidInputError(`the state saved for ${key} is not readable: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
