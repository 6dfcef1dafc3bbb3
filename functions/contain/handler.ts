import { containFamily } from '#core/actions/families/contain.ts';
import { createActionHandler } from '#core/actions/lambda.ts';

/** The `contain` action function: runs the contain family's actions (see functions/core/actions/families). */
export const handler = createActionHandler(containFamily);
