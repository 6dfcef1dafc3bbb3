import { approveFamily } from '#core/actions/families/approve.ts';
import { createActionHandler } from '#core/actions/lambda.ts';

/** The `approve` action function: runs the approve family's actions (see functions/core/actions/families). */
export const handler = createActionHandler(approveFamily);
