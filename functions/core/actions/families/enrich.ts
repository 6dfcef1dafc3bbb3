import { enrichEc2SharingAction } from '../ec2/enrich-ec2-sharing.ts';
import { enrichInstanceAction } from '../ec2/enrich-instance.ts';
import { enrichSecurityGroupAction } from '../ec2/enrich-security-group.ts';
import { defineFamily } from '../family.ts';
import { enrichPrincipalAction } from '../iam/enrich-principal.ts';
import { rootCredentialRunbookAction } from '../iam/root-credential-runbook.ts';
import { enrichLambdaFunctionAction } from '../lambda/enrich-lambda-function.ts';
import { enrichDbSnapshotSharingAction } from '../rds/enrich-db-snapshot-sharing.ts';

/** The enrich family: read-only lookups of the incident's instance or principal. */
export const enrichFamily = defineFamily('enrich', [
  enrichInstanceAction,
  enrichPrincipalAction,
  enrichSecurityGroupAction,
  enrichEc2SharingAction,
  enrichDbSnapshotSharingAction,
  enrichLambdaFunctionAction,
  rootCredentialRunbookAction,
]);
