import { createActionHandler } from '#core/actions/lambda.ts';

/** The `context` action function: runs the context family's actions (see functions/core/actions). */
export const handler = createActionHandler('context');
