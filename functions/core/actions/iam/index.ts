import type { ActionDefinition } from '../types.ts';
import { assessActorAction } from './assess-actor.ts';
import { containUserAction } from './contain-iam-user.ts';
import { deactivateAccessKeyAction } from './deactivate-access-key.ts';
import { enrichPrincipalAction } from './enrich-principal.ts';
import { releaseUserAction } from './release-iam-user.ts';
import { releaseRoleSessionsAction } from './release-role-sessions.ts';
import { revokeRoleSessionsAction } from './revoke-role-sessions.ts';
import { rootCredentialRunbookAction } from './root-credential-runbook.ts';

/**
 * IAM actions: enrich a principal, contain a user (keys, deny-all, console), revoke a role's
 * sessions, and release both; assess the principal behind a call before a playbook contains it. They follow "Revoking compromised IAM credentials" in
 * CONTAINMENT.md: capture first, rails, then reversible changes only (keys are deactivated,
 * never deleted), and every containment can be undone from the captured state.
 */
export const IAM_ACTIONS: readonly ActionDefinition[] = [
  enrichPrincipalAction,
  containUserAction,
  revokeRoleSessionsAction,
  releaseUserAction,
  releaseRoleSessionsAction,
  rootCredentialRunbookAction,
  assessActorAction,
  deactivateAccessKeyAction,
] as readonly ActionDefinition[];
