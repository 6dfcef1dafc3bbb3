import { createActionHandler } from '#core/actions/lambda.ts';

/** The `contain` action function: runs the contain family's actions (see functions/core/actions). */
export const handler = createActionHandler('contain');
