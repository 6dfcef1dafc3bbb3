import { enrichFamily } from '#core/actions/families/enrich.ts';
import { createActionHandler } from '#core/actions/lambda.ts';

/** The `enrich` action function: runs the enrich family's actions (see functions/core/actions/families). */
export const handler = createActionHandler(enrichFamily);
