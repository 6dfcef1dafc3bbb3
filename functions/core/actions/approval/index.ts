import type { ActionDefinition } from '../types.ts';
import { requestApprovalAction } from './request-approval.ts';

/**
 * The approval action: `request-approval` waits on a task token for a human decision through
 * signed, expiring links; `decide.ts` records the decision and answers Step Functions, and
 * `approval-settlement.ts` tells an applied decision from an expired request.
 */
export const APPROVAL_ACTIONS: readonly ActionDefinition[] = [
  requestApprovalAction,
] as readonly ActionDefinition[];
