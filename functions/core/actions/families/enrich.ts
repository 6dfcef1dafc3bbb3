import { summarizeKeyActivityAction } from '../cloudtrail/summarize-key-activity.ts';
import { enrichEc2SharingAction } from '../ec2/enrich-ec2-sharing.ts';
import { enrichInstanceAction } from '../ec2/enrich-instance.ts';
import { enrichSecurityGroupAction } from '../ec2/enrich-security-group.ts';
import { defineFamily } from '../family.ts';
import { assessActorAction } from '../iam/assess-actor.ts';
import { enrichPrincipalAction } from '../iam/enrich-principal.ts';
import { rootCredentialRunbookAction } from '../iam/root-credential-runbook.ts';
import { enrichKmsKeyAction } from '../kms/enrich-kms-key.ts';
import { enrichLambdaFunctionAction } from '../lambda/enrich-lambda-function.ts';
import { enrichDbInstanceAction } from '../rds/enrich-db-instance.ts';
import { enrichDbSnapshotSharingAction } from '../rds/enrich-db-snapshot-sharing.ts';

/** The enrich family: read-only lookups of the incident's instance, principal, Lambda function or KMS key, and of the caller behind a call. */
export const enrichFamily = defineFamily('enrich', [
  enrichInstanceAction,
  enrichPrincipalAction,
  enrichSecurityGroupAction,
  enrichEc2SharingAction,
  enrichDbSnapshotSharingAction,
  enrichLambdaFunctionAction,
  enrichDbInstanceAction,
  rootCredentialRunbookAction,
  enrichKmsKeyAction,
  assessActorAction,
  summarizeKeyActivityAction,
]);
