import { z } from 'zod';
import type { CallRecorder } from '../recorder.ts';

/** What a delivery records and answers, shared by the channels. */

export const DeliverySchema = z.object({
  channel: z.enum(['email', 'slack', 'webhook']),
  /** `recorded`: rendered and recorded in dry-run, not sent. */
  status: z.enum(['sent', 'recorded', 'not-configured', 'failed']),
  error: z.string().optional(),
});

export type Delivery = z.infer<typeof DeliverySchema>;

/** What delivery needs from the action environment. */
export interface DeliveryEnv {
  readonly dryRun: boolean;
  readonly recorder: CallRecorder;
  readonly now: () => number;
}

/** Approval links carry bearer tokens: what is recorded (timeline, dry-run output) never does. */
export function redactTokens(text: string): string {
  return text.replace(/([?&]token=)[A-Za-z0-9_.~%-]+/g, '$1REDACTED');
}

export function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
