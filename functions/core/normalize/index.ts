import type { Alert, NormalizeOutput, Rejection } from '../alert.ts';
import { parseEnvelope } from './envelope.ts';
import { clampFutureTimes } from './future-time.ts';
import { FieldError } from './read.ts';
import { accessAnalyzerNormalizers } from './sources/access-analyzer.ts';
import { cloudTrailNormalizers } from './sources/cloudtrail.ts';
import { configNormalizers } from './sources/config.ts';
import { customNormalizers } from './sources/custom.ts';
import { guardDutyNormalizers } from './sources/guardduty.ts';
import { healthNormalizers } from './sources/health.ts';
import { inspectorNormalizers } from './sources/inspector.ts';
import { macieNormalizers } from './sources/macie.ts';
import { securityHubNormalizers } from './sources/securityhub.ts';
import { securityHubV2Normalizers } from './sources/securityhub-v2.ts';
import type { SourceNormalizer } from './sources/types.ts';
import { parseTimestamp } from './time.ts';

export type { SourceEvent } from './envelope.ts';
export type { SourceNormalizer } from './sources/types.ts';

/** Every normalizer Riposte ships, routed on `source` and `detail-type`. */
export const NORMALIZERS: readonly SourceNormalizer[] = [
  ...guardDutyNormalizers,
  ...securityHubNormalizers,
  ...securityHubV2Normalizers,
  ...inspectorNormalizers,
  ...macieNormalizers,
  ...accessAnalyzerNormalizers,
  ...configNormalizers,
  ...cloudTrailNormalizers,
  ...healthNormalizers,
  ...customNormalizers,
];

/** Normalizers by `source`, then by `detail-type` (`'*'`: any detail-type of that source). */
const byRoute = new Map<string, Map<string, SourceNormalizer>>();
const anyAwsSource = new Map<string, SourceNormalizer>();
const knownSources = new Set<string>();
for (const normalizer of NORMALIZERS) {
  if (normalizer.source === '*') {
    anyAwsSource.set(normalizer.detailType, normalizer);
  } else {
    const routes = byRoute.get(normalizer.source) ?? new Map<string, SourceNormalizer>();
    routes.set(normalizer.detailType, normalizer);
    byRoute.set(normalizer.source, routes);
    knownSources.add(normalizer.source);
  }
}

/** The normalizer for a `source` and `detail-type`, or undefined when none handles them. */
function route(source: string, detailType: string): SourceNormalizer | undefined {
  const routes = byRoute.get(source);
  return (
    routes?.get(detailType) ??
    routes?.get('*') ??
    (source.startsWith('aws.') ? anyAwsSource.get(detailType) : undefined)
  );
}

/**
 * Normalizes one input into OCSF alerts. Never throws: malformed, unsupported and non-finding
 * input comes back as `{ rejected: { reason, message } }` with a stable reason code.
 *
 * Routing is on `source` *and* `detail-type` (`aws.guardduty` also emits CloudTrail API calls).
 *
 * @param input the event as bytes, JSON text, or an already-parsed value
 * @param options the clock finding times are checked against
 * @returns one output per finding, in order (a Security Hub event can hold several findings)
 *
 * @example
 * for (const out of normalize(fs.readFileSync('finding.json'))) {
 *   if ('alert' in out) store(out.alert);
 *   else console.error(out.rejected.reason, out.rejected.message);
 * }
 */
export function normalize(input: unknown, options: NormalizeOptions = {}): NormalizeOutput[] {
  const parsed = parseEnvelope(input);
  if ('rejected' in parsed) return [parsed];
  const { envelope } = parsed.event;
  const detailType = envelope['detail-type'];
  const normalizer = route(envelope.source, detailType);
  if (normalizer === undefined) {
    return [{ rejected: unsupported(envelope.source, detailType) }];
  }
  try {
    const outputs = normalizer.normalize(parsed.event);
    if (outputs.length === 0) {
      return [
        { rejected: { reason: 'not_a_finding', message: `${clip(detailType)} event holds no finding` } },
      ];
    }
    const now = options.now ?? Date.now();
    const envelopeTime = parseTimestamp(envelope.time);
    return outputs.map((output) => ('alert' in output ? guarded(output.alert, envelopeTime, now) : output));
  } catch (error) {
    if (error instanceof FieldError) {
      return [{ rejected: { reason: error.reason, message: error.message } }];
    }
    const message = error instanceof Error ? error.message : String(error);
    return [{ rejected: { reason: 'internal_error', message: `normalizer failed: ${message}` } }];
  }
}

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /** The clock future finding times are judged by, in epoch ms. @default Date.now() */
  readonly now?: number;
}

/** Longest identifier an alert may carry: AWS ARNs are at most 2048 characters. */
export const MAX_IDENTIFIER_LENGTH = 2048;

/**
 * The checks every alert passes whatever its source: times in the future are clamped (see
 * {@link clampFutureTimes}), and an alert whose resource or principal identifiers are longer than
 * any AWS identifier is refused (ingest keys incidents by them).
 */
function guarded(alert: Alert, envelopeTime: number | undefined, now: number): NormalizeOutput {
  clampFutureTimes(alert, envelopeTime, now);
  const { ocsf } = alert;
  const identifiers: [string, string | undefined][] = [];
  for (const [index, resource] of (ocsf.resources ?? []).entries()) {
    identifiers.push([`resources[${index}].uid`, resource.uid], [`resources[${index}].name`, resource.name]);
    identifiers.push([`resources[${index}].type`, resource.type]);
  }
  const user = ocsf.user ?? ocsf.actor?.user;
  identifiers.push(['user.uid', user?.uid], ['user.name', user?.name]);
  for (const [path, value] of identifiers) {
    if (value !== undefined && value.length > MAX_IDENTIFIER_LENGTH) {
      return {
        rejected: {
          reason: 'invalid_field',
          message: `${path} is ${value.length} characters long, longer than any AWS identifier (${MAX_IDENTIFIER_LENGTH})`,
        },
      };
    }
  }
  return { alert };
}

/** `text` cut to 200 characters for a message: event fields can be as long as the event. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function unsupported(source: string, detailType: string): Rejection {
  if (knownSources.has(source) || source.startsWith('aws.')) {
    return {
      reason: knownSources.has(source) ? 'unsupported_detail_type' : 'unsupported_source',
      message: `no normalizer for source "${clip(source)}" with detail-type "${clip(detailType)}"`,
    };
  }
  return { reason: 'unsupported_source', message: `no normalizer for source "${clip(source)}"` };
}
