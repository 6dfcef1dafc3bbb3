import { enrichInstanceAction } from '../ec2/enrich-instance.ts';
import { enrichSecurityGroupAction } from '../ec2/enrich-security-group.ts';
import { defineFamily } from '../family.ts';
import { enrichPrincipalAction } from '../iam/enrich-principal.ts';
import { rootCredentialRunbookAction } from '../iam/root-credential-runbook.ts';
import { enrichLambdaFunctionAction } from '../lambda/enrich-lambda-function.ts';

/** The enrich family: read-only lookups of the incident's instance or principal. */
export const enrichFamily = defineFamily('enrich', [
  enrichInstanceAction,
  enrichPrincipalAction,
  enrichSecurityGroupAction,
  enrichLambdaFunctionAction,
  rootCredentialRunbookAction,
]);
