import { cloudTrailModel } from './safety-cloudtrail.ts';
import { exposedKeyModel } from './safety-exposed-key.ts';
import { instanceCredentialModel } from './safety-instance-credential.ts';
import { kmsModel } from './safety-kms.ts';
import { lambdaModel } from './safety-lambda.ts';
import { malwareObjectModel } from './safety-malware-object.ts';
import type { TargetModel } from './safety-model.ts';
import { publicShareModel } from './safety-public-share.ts';
import { rdsModel } from './safety-rds.ts';
import { rootModel } from './safety-root.ts';
import { securityGroupModel } from './safety-security-group.ts';

const ALL: readonly TargetModel[] = [
  lambdaModel,
  rdsModel,
  kmsModel,
  cloudTrailModel,
  instanceCredentialModel,
  rootModel,
  securityGroupModel,
  publicShareModel,
  exposedKeyModel,
  malwareObjectModel,
];

/**
 * The target model of each playbook the safety suite builds through one (the others: instances,
 * users, roles and buckets, built by the suite itself).
 *
 * @example
 * MODELS.get('lambda-function-release')?.playbooks['lambda-function-release']?.containedBy; // 'lambda-function-compromise'
 */
export const MODELS: ReadonlyMap<string, TargetModel> = new Map(
  ALL.flatMap((model) => Object.keys(model.playbooks).map((id) => [id, model] as const)),
);
