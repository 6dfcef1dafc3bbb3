import { defineFamily } from '../family.ts';

/**
 * The context family: `load-context` and `record-outcome`, the first and last step of every
 * playbook. The runner runs both itself (they read and write the incident, not AWS resources),
 * so the family hosts no action definition and its function builds no AWS service client.
 */
export const contextFamily = defineFamily('context', []);
