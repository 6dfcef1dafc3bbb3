import { z } from 'zod';

/**
 * What an action asks the runner to keep on its timeline entry besides its calls: `before`, the
 * state it captured before changing anything (the evidence, what release restores), and `after`,
 * what it recorded (a response decided without a change, such as "manual runbook required").
 * An action returns them under `timeline` in its output; the runner copies them onto the entry
 * (`riposte show`, the console and the release plan read them there).
 */
export const TimelineFactsSchema = z.object({
  before: z.record(z.string(), z.unknown()).optional(),
  after: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineFacts = z.infer<typeof TimelineFactsSchema>;

/**
 * The `timeline` facts an action output carries, if any.
 *
 * @example
 * timelineFactsOf({ timeline: { before: { previousReservedConcurrency: null } } }); // { before: { … } }
 * timelineFactsOf({ verification: { … } }); // {}
 */
export function timelineFactsOf(output: unknown): TimelineFacts {
  if (output === null || typeof output !== 'object' || !('timeline' in output)) return {};
  const parsed = TimelineFactsSchema.safeParse(output.timeline);
  if (!parsed.success) return {};
  return {
    ...(parsed.data.before === undefined ? {} : { before: parsed.data.before }),
    ...(parsed.data.after === undefined ? {} : { after: parsed.data.after }),
  };
}
