import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * The zod the schemas on the Lambda paths are written with: `zod/mini`, with English messages.
 *
 * - Mini has the classic core (same parsing, defaults, issues) behind a functional API
 *   (`z.optional(x)`, `x.check(z.minLength(1))`, `z._default(x, v)`), so esbuild keeps only the
 *   functions the schemas call; classic `zod` puts its whole method surface, JSON Schema support
 *   and every locale (about 460 KB) in each bundle.
 * - Classic installs the English locale on first use; mini installs none, and every message would
 *   be "Invalid input". Rejection messages and `FieldError`s quote them, so English is installed
 *   here, as classic does: only when no locale is configured yet.
 * - Import it as a namespace, `import * as z from '../zod.ts'`: esbuild drops the unused members
 *   of a namespace import, not those of the `z` object that `import { z } from 'zod/mini'` gives.
 *
 * @example
 * import * as z from '../zod.ts';
 * const Name = z.optional(z.string().check(z.minLength(1)));
 * type Name = z.infer<typeof Name>; // string | undefined
 */
if (config().localeError === undefined) config(en());

export * from 'zod/mini';
