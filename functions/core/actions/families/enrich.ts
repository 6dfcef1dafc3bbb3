import { enrichInstanceAction } from '../ec2.ts';
import { defineFamily } from '../family.ts';
import { assessActorAction } from '../iam/assess-actor.ts';
import { enrichPrincipalAction } from '../iam.ts';
import { enrichKmsKeyAction } from '../kms/enrich-kms-key.ts';

/** The enrich family: read-only lookups of the incident's instance, principal or KMS key, and of the caller behind a call. */
export const enrichFamily = defineFamily('enrich', [
  enrichInstanceAction,
  enrichPrincipalAction,
  enrichKmsKeyAction,
  assessActorAction,
]);
