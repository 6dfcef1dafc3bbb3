import { customSourceAccounts, type RiposteConfig } from '#core/config/schema.ts';
import { compileEventPattern, type EventPatternMatcher } from '#core/events/pattern.ts';
import type { Dispatcher, PlaybookRoute } from '#core/intake/dispatch.ts';
import { emptyReport, type IngestReport, ingestBatch, mergeReports } from '#core/intake/ingest.ts';
import { isRecord, type JsonRecord } from '#core/normalize/read.ts';
import { buildRulePatterns } from '#core/sources/catalog.ts';
import type { LocalStore } from './store.ts';

/** One event to push through the local pipeline, with where it came from. */
export interface LocalEvent {
  readonly input: string;
  readonly body: Uint8Array | string;
}

/** `riposte replay --json` output. */
export interface ReplaySummary {
  events: number;
  matched: number;
  alerts: number;
  duplicates: number;
  incidents: number;
  executions: number;
  rejected: number;
  ms: number;
}

export interface LocalPipelineOptions {
  readonly store: LocalStore;
  readonly config: RiposteConfig;
  readonly dispatcher: Dispatcher;
  readonly routes: readonly PlaybookRoute[];
  /** Deliveries per ingest call, like an SQS batch. @default 10 */
  readonly batchSize?: number;
  readonly now?: () => number;
}

interface Rule {
  readonly id: string;
  readonly matcher: EventPatternMatcher;
}

/**
 * The deployed path, run locally: EventBridge rules (the patterns the CDK stack deploys,
 * evaluated with EventBridge's semantics) → batches like SQS → the ingest code the Lambda runs
 * → the embedded DynamoDB → dispatch.
 *
 * Input that is not a JSON object cannot exist on an event bus; locally it goes straight to
 * ingest so that it is kept as a rejected event rather than silently dropped.
 */
export class LocalPipeline {
  private readonly rules: readonly Rule[];

  public constructor(private readonly options: LocalPipelineOptions) {
    this.rules = buildRulePatterns(options.config).map((rule) => ({
      id: rule.id,
      matcher: compileEventPattern(rule.eventPattern),
    }));
  }

  /** The ids of the rules an event matches (empty: EventBridge would not deliver it). */
  public route(event: unknown): string[] {
    return this.rules.filter((rule) => rule.matcher.matches(event)).map((rule) => rule.id);
  }

  /**
   * Replays events in order, in batches, and reports what they added to the store.
   *
   * @param onProgress called after each batch with the number of events done
   */
  public async replay(
    events: readonly LocalEvent[],
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<{ summary: ReplaySummary; report: IngestReport; interrupted: boolean }> {
    const started = performance.now();
    const batchSize = this.options.batchSize ?? 10;
    let matched = 0;
    let report = emptyReport();
    let batch: { id: string; body: Uint8Array | string }[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const result = await ingestBatch(batch, {
        db: this.options.store.db,
        tableName: this.options.store.tableName,
        dispatcher: this.options.dispatcher,
        routes: this.options.routes,
        incidentWindowMs: this.options.config.incidentWindowHours * 3_600_000,
        rejectedRetentionDays: this.options.config.rejectedRetentionDays,
        customSourceAccounts: customSourceAccounts(this.options.config),
        ...(this.options.now === undefined ? {} : { now: this.options.now }),
      });
      if (result.failures.length > 0) {
        const detail = result.errors.map((e) => e.message).join('; ');
        throw new Error(`local ingest failed for ${result.failures.length} event(s): ${detail}`);
      }
      report = mergeReports(report, result);
      batch = [];
    };
    let done = 0;
    for (const [index, event] of events.entries()) {
      if (signal?.aborted === true) break;
      done = index + 1;
      const parsed = parseObject(event.body);
      if (parsed === undefined || this.route(parsed).length > 0) {
        if (parsed !== undefined) matched += 1;
        batch.push({ id: `${index}:${event.input}`, body: event.body });
      }
      if (batch.length >= batchSize) {
        await flush();
        onProgress?.(index + 1, events.length);
      }
    }
    await flush();
    onProgress?.(done, events.length);
    return {
      interrupted: done < events.length,
      summary: {
        events: done,
        matched,
        alerts: report.alertsCreated,
        // Deliveries of findings already stored: re-deliveries and later updates alike.
        duplicates: report.duplicates + report.alertsUpdated,
        incidents: report.incidentsOpened,
        executions: report.executionsStarted,
        rejected: report.rejected,
        ms: Math.round(performance.now() - started),
      },
      report,
    };
  }
}

function parseObject(body: Uint8Array | string): JsonRecord | undefined {
  try {
    const value: unknown = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
