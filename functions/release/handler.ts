import { createActionHandler } from '#core/actions/lambda.ts';

/** The `release` action function: runs the release family's actions (see functions/core/actions). */
export const handler = createActionHandler('release');
