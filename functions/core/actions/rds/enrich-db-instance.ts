import { z } from 'zod';
import { rdsService } from '../services/rds.ts';
import { tagValueOf } from '../tags.ts';
import { defineAction } from '../types.ts';
import {
  DbInstanceEvidenceSchema,
  DbInstanceInputSchema,
  readInstance,
  readTags,
} from './shared/instance.ts';

export const EnrichDbInstanceOutputSchema = z.object({
  dbInstanceIdentifier: z.string(),
  dbInstanceArn: z.string(),
  evidence: DbInstanceEvidenceSchema,
  publiclyAccessible: z.boolean(),
  /** A member of an Aurora or Multi-AZ DB cluster: containment refuses it (ClusterMemberError). */
  clusterMember: z.boolean(),
  tags: z.record(z.string(), z.string()),
  /** From the `owner` tag (any case). */
  owner: z.string().nullable(),
  /** From the first environment tag key of the safety policy (keys any case, value trimmed). */
  environment: z.string().nullable(),
  /** Whether the instance carries the configured protected tag: containment will refuse it. */
  protected: z.boolean(),
  /** False only when the environment is one the safety policy names non-production. */
  approvalRequired: z.boolean(),
});
export type EnrichDbInstanceOutput = z.infer<typeof EnrichDbInstanceOutputSchema>;

/**
 * Describes an RDS DB instance for the playbook and the analyst, read-only:
 * `DescribeDBInstances` (engine, endpoint, ARN, PubliclyAccessible, cluster, read replicas,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html) and
 * `ListTagsForResource` on its ARN. The tags are classified by the same rules the containment
 * rails apply (protected tag, environment).
 *
 * @example
 * const { output } = await runAction(enrichDbInstanceAction, { dbInstance: 'orders-db' }, env);
 * output.publiclyAccessible; // true
 * output.approvalRequired; // true: tagged environment=production
 */
export const enrichDbInstanceAction = defineAction({
  id: 'enrich-db-instance',
  family: 'enrich',
  services: rdsService,
  description:
    'Describes an RDS DB instance: engine, endpoint, public accessibility, cluster and replicas, tags, environment.',
  input: DbInstanceInputSchema,
  output: EnrichDbInstanceOutputSchema,
  iamActions: ['rds:DescribeDBInstances', 'rds:ListTagsForResource'],
  target: (input) => input.dbInstance,
  async run(input, env): Promise<EnrichDbInstanceOutput> {
    const evidence = await readInstance(env, input.dbInstance);
    const tags = await readTags(env, evidence.dbInstanceArn);
    const standing = env.safety.standing(tags);
    return {
      dbInstanceIdentifier: evidence.dbInstanceIdentifier,
      dbInstanceArn: evidence.dbInstanceArn,
      evidence,
      publiclyAccessible: evidence.publiclyAccessible,
      clusterMember: evidence.dbClusterIdentifier !== null,
      tags,
      owner: tagValueOf(tags, ['owner']),
      environment: standing.environment,
      protected: standing.protected,
      approvalRequired: standing.approvalRequired,
    };
  },
});
