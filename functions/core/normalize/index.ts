import type { NormalizeOutput, Rejection } from '../alert.ts';
import { parseEnvelope } from './envelope.ts';
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
import type { SourceNormalizer } from './sources/types.ts';

export type { SourceEvent } from './envelope.ts';
export type { SourceNormalizer } from './sources/types.ts';

/** Every normalizer Riposte ships, routed on `source` and `detail-type`. */
export const NORMALIZERS: readonly SourceNormalizer[] = [
  ...guardDutyNormalizers,
  ...securityHubNormalizers,
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
 * @returns one output per finding, in order (a Security Hub event can hold several findings)
 *
 * @example
 * for (const out of normalize(fs.readFileSync('finding.json'))) {
 *   if ('alert' in out) store(out.alert);
 *   else console.error(out.rejected.reason, out.rejected.message);
 * }
 */
export function normalize(input: unknown): NormalizeOutput[] {
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
    return outputs.length > 0
      ? outputs
      : [{ rejected: { reason: 'not_a_finding', message: `${detailType} event holds no finding` } }];
  } catch (error) {
    if (error instanceof FieldError) {
      return [{ rejected: { reason: error.reason, message: error.message } }];
    }
    const message = error instanceof Error ? error.message : String(error);
    return [{ rejected: { reason: 'internal_error', message: `normalizer failed: ${message}` } }];
  }
}

function unsupported(source: string, detailType: string): Rejection {
  if (knownSources.has(source) || source.startsWith('aws.')) {
    return {
      reason: knownSources.has(source) ? 'unsupported_detail_type' : 'unsupported_source',
      message: `no normalizer for source "${source}" with detail-type "${detailType}"`,
    };
  }
  return { reason: 'unsupported_source', message: `no normalizer for source "${source}"` };
}
