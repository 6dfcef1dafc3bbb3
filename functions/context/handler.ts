import { contextFamily } from '#core/actions/families/context.ts';
import { createActionHandler } from '#core/actions/lambda.ts';

/** The `context` action function: runs the context family's actions (see functions/core/actions/families). */
export const handler = createActionHandler(contextFamily);
