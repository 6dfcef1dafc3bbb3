import {
  type CloudTrailClient,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { hasErrorCode } from '../../errors.ts';

/**
 * Reads of one trail shared by the CloudTrail actions: `GetTrail`, `GetTrailStatus`,
 * `GetEventSelectors` and `ListTags`, naming the trail by its ARN once known.
 */

export const TrailSnapshotSchema = z.object({
  name: z.string(),
  arn: z.string(),
  homeRegion: z.string(),
  /** The account that owns the trail (from its ARN): the management account for an organization trail. */
  owner: z.string(),
  isOrganizationTrail: z.boolean(),
  isMultiRegionTrail: z.boolean(),
  s3BucketName: z.string(),
  includeGlobalServiceEvents: z.boolean(),
  logFileValidationEnabled: z.boolean(),
  kmsKeyId: z.string().nullable(),
});
export type TrailSnapshot = z.infer<typeof TrailSnapshotSchema>;

/** A trail's event selectors: basic or advanced, as `GetEventSelectors` answers them. */
const strings = z.array(z.string()).optional();
export const SelectorsSchema = z.object({
  EventSelectors: z
    .array(
      z.object({
        ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
        IncludeManagementEvents: z.boolean().optional(),
        DataResources: z.array(z.object({ Type: z.string().optional(), Values: strings })).optional(),
        ExcludeManagementEventSources: strings,
      }),
    )
    .optional(),
  AdvancedEventSelectors: z
    .array(
      z.object({
        Name: z.string().optional(),
        FieldSelectors: z.array(
          z.object({
            Field: z.string(),
            Equals: strings,
            StartsWith: strings,
            EndsWith: strings,
            NotEquals: strings,
            NotStartsWith: strings,
            NotEndsWith: strings,
          }),
        ),
      }),
    )
    .optional(),
});
export type Selectors = z.infer<typeof SelectorsSchema>;

/** `GetTrail`; null when the trail does not exist (deleted). */
export async function readTrail(
  cloudtrail: CloudTrailClient,
  nameOrArn: string,
): Promise<TrailSnapshot | null> {
  try {
    const out = await cloudtrail.send(new GetTrailCommand({ Name: nameOrArn }));
    const trail = out.Trail;
    if (trail?.TrailARN === undefined || trail.Name === undefined) return null;
    return {
      name: trail.Name,
      arn: trail.TrailARN,
      homeRegion: trail.HomeRegion ?? trail.TrailARN.split(':')[3] ?? '',
      owner: trail.TrailARN.split(':')[4] ?? '',
      isOrganizationTrail: trail.IsOrganizationTrail === true,
      isMultiRegionTrail: trail.IsMultiRegionTrail === true,
      s3BucketName: trail.S3BucketName ?? '',
      includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents === true,
      logFileValidationEnabled: trail.LogFileValidationEnabled === true,
      kmsKeyId: trail.KmsKeyId ?? null,
    };
  } catch (error) {
    if (hasErrorCode(error, 'TrailNotFoundException')) return null;
    throw error;
  }
}

/** `GetTrailStatus`: whether the trail is logging. */
export async function readIsLogging(cloudtrail: CloudTrailClient, arn: string): Promise<boolean> {
  const out = await cloudtrail.send(new GetTrailStatusCommand({ Name: arn }));
  return out.IsLogging === true;
}

/** `GetEventSelectors`, as plain records (dates and SDK types dropped). */
export async function readSelectors(cloudtrail: CloudTrailClient, arn: string): Promise<Selectors> {
  const out = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn }));
  return SelectorsSchema.parse(
    JSON.parse(
      JSON.stringify({
        ...(out.EventSelectors === undefined ? {} : { EventSelectors: out.EventSelectors }),
        ...(out.AdvancedEventSelectors === undefined
          ? {}
          : { AdvancedEventSelectors: out.AdvancedEventSelectors }),
      }),
    ),
  );
}

/** `ListTags` of the trail. */
export async function readTrailTags(
  cloudtrail: CloudTrailClient,
  arn: string,
): Promise<Record<string, string>> {
  const out = await cloudtrail.send(new ListTagsCommand({ ResourceIdList: [arn] }));
  const tags: Record<string, string> = {};
  for (const entry of out.ResourceTagList ?? []) {
    for (const tag of entry.TagsList ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  return tags;
}
