import type { NormalizeOutput } from '../../alert.ts';
import type { SourceEvent } from '../envelope.ts';

/**
 * One normalizer: the EventBridge `source` and `detail-type` it handles, and the mapping.
 * A normalizer may throw a `FieldError` for a missing or mistyped field; the dispatcher turns
 * it into a typed rejection. It returns one output per finding (Security Hub batches several).
 */
export interface SourceNormalizer {
  /** EventBridge `source`, or `'*'` for any `aws.*` source (CloudTrail API calls). */
  readonly source: string;
  readonly detailType: string;
  readonly normalize: (event: SourceEvent) => NormalizeOutput[];
}
