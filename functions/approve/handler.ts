import { createActionHandler } from '#core/actions/lambda.ts';

/** The `approve` action function: runs the approve family's actions (see functions/core/actions). */
export const handler = createActionHandler('approve');
