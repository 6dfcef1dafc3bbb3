import { requestApprovalAction } from '../approval/request-approval.ts';
import { defineFamily } from '../family.ts';

/** The approve family: approval requests that pause a playbook until an operator decides. */
export const approveFamily = defineFamily('approve', [requestApprovalAction]);
