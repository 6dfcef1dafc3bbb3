import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ServiceName, WorldBackend } from '../clients.ts';
import { AccountWorldSchema, accountSummary } from './account.ts';
import { CloudTrailWorldSchema, handleCloudTrail } from './cloudtrail.ts';
import { handleEc2 } from './ec2/index.ts';
import { Ec2WorldSchema } from './ec2/world.ts';
import { UnsupportedWorldCallError } from './errors.ts';
import { handleIam } from './iam/index.ts';
import { IamWorldSchema } from './iam/schema.ts';
import { handleKms, KmsWorldSchema } from './kms.ts';
import { handleLambda, LambdaWorldSchema } from './lambda.ts';
import { handleRds, RdsWorldSchema } from './rds.ts';
import { handleS3, S3WorldSchema } from './s3.ts';

export { UnsupportedWorldCallError, WorldApiError } from './errors.ts';

/**
 * A world file: the AWS resources a local run sees (instances, security groups, ENIs, Auto
 * Scaling groups, target groups, Elastic IPs, volumes, IAM users, keys, roles, buckets, Lambda functions,
 * RDS DB instances and snapshots, KMS keys, the CloudTrail event history...).
 * Actions read it through the same SDK calls they make on AWS, and their writes change it in
 * memory, so running an action twice behaves as on AWS (the second run finds the work done).
 *
 * @example
 * const world = LocalWorld.fromFile('examples/world.json');
 * const clients = createClients({ mode: { kind: 'world', world }, recorder, region: 'eu-west-1', services: ALL_SERVICES });
 */
export const WorldSchema = z.strictObject({
  description: z.string().optional(),
  ec2: Ec2WorldSchema.default(Ec2WorldSchema.parse({})),
  iam: IamWorldSchema.default(IamWorldSchema.parse({})),
  s3: S3WorldSchema.default(S3WorldSchema.parse({})),
  lambda: LambdaWorldSchema.default(LambdaWorldSchema.parse({})),
  /** DB instances, DB snapshots and DB cluster snapshots (with who may restore them). */
  rds: RdsWorldSchema.default(RdsWorldSchema.parse({})),
  /** Account-wide facts: the root user's MFA and access keys (`GetAccountSummary`). */
  account: AccountWorldSchema.default(AccountWorldSchema.parse({})),
  kms: KmsWorldSchema.default(KmsWorldSchema.parse({})),
  cloudtrail: CloudTrailWorldSchema.default(CloudTrailWorldSchema.parse({})),
});
export type WorldData = z.infer<typeof WorldSchema>;

/** Raised when a world file does not match {@link WorldSchema}. */
export class InvalidWorldError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidWorldError';
  }
}

export class LocalWorld implements WorldBackend {
  public readonly state: WorldData;

  public constructor(data: unknown) {
    const parsed = WorldSchema.safeParse(data);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new InvalidWorldError(`invalid world: ${details}`, { cause: parsed.error });
    }
    // A private copy: runs mutate the world, the caller's data stays as it was.
    this.state = structuredClone(parsed.data);
  }

  public static fromFile(file: string): LocalWorld {
    return new LocalWorld(JSON.parse(readFileSync(file, 'utf8')));
  }

  public async handle(
    service: ServiceName,
    api: string,
    params: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    switch (service) {
      case 'ec2':
      case 'autoScaling':
      case 'elbv2':
        return handleEc2(this.state.ec2, service, api, params);
      case 'iam':
        if (api === 'GetAccountSummary') return accountSummary(this.state.account, this.state.iam);
        return handleIam(this.state.iam, api, params);
      case 's3':
        return handleS3(this.state.s3, api, params);
      case 'lambda':
        return handleLambda(this.state.lambda, api, params);
      case 'rds':
        return handleRds(this.state.rds, api, params);
      case 'kms':
        return handleKms(this.state.kms, api, params);
      case 'cloudtrail':
        return handleCloudTrail(this.state.cloudtrail, api, params);
      default:
        throw new UnsupportedWorldCallError(service, api);
    }
  }
}
