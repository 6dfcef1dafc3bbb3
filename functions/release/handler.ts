import { releaseFamily } from '#core/actions/families/release.ts';
import { createActionHandler } from '#core/actions/lambda.ts';

/** The `release` action function: runs the release family's actions (see functions/core/actions/families). */
export const handler = createActionHandler(releaseFamily);
