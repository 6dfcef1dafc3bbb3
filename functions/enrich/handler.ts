import { createActionHandler } from '#core/actions/lambda.ts';

/** The `enrich` action function: runs the enrich family's actions (see functions/core/actions). */
export const handler = createActionHandler('enrich');
