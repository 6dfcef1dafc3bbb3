import { notifyFamily } from '#core/actions/families/notify.ts';
import { createActionHandler } from '#core/actions/lambda.ts';

/** The `notify` action function: runs the notify family's actions (see functions/core/actions/families). */
export const handler = createActionHandler(notifyFamily);
