import { createActionHandler } from '#core/actions/lambda.ts';

/** The `notify` action function: runs the notify family's actions (see functions/core/actions). */
export const handler = createActionHandler('notify');
