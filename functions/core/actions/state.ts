// Long: the DynamoDB stores of containment state and the timeline, each beside the calls it declares.
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { RiposteError } from '../errors.ts';
import { declares } from '../permissions.ts';
import { condition, Placeholders } from '../store/expression.ts';
import { queryPartition } from '../store/queries.ts';
import { sortableTime } from '../store/table.ts';
import type { ApiCall } from './recorder.ts';
import type { ContainmentState, ExecutionFacts, Timeline } from './types.ts';
import { VerificationSchema } from './verify/check.ts';

/**
 * Where containment keeps what it needs to undo itself, and the incident's audit trail.
 *
 * | item               | pk              | sk                                  |
 * |--------------------|-----------------|-------------------------------------|
 * | containment state  | `INCIDENT#<id>` | `STATE#<key>` (e.g. `STATE#ec2:i-0abc`) |
 * | timeline entry     | `INCIDENT#<id>` | `TIMELINE#<ISO time>#<seq><random>` |
 *
 * Neither expires: both are the audit trail of the incident.
 */
export const actionKeys = {
  state: (incidentId: string, key: string) => ({ pk: `INCIDENT#${incidentId}`, sk: `STATE#${key}` }),
  timeline: (incidentId: string, time: string, suffix: string) => ({
    pk: `INCIDENT#${incidentId}`,
    sk: `TIMELINE#${time}#${suffix}`,
  }),
  timelinePrefix: 'TIMELINE#',
} as const;

/** {@link DynamoContainmentState}: loads and saves the pre-containment state. */
export const CONTAINMENT_STATE_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  resource: 'table',
  why: 'containment saves, and release loads, the pre-containment state',
});

/** {@link DynamoTimeline}: one entry per action run. */
export const TIMELINE_CALLS = declares({
  service: 'dynamodb',
  actions: ['dynamodb:PutItem'],
  resource: 'table',
  why: 'the runner appends a timeline entry after every action',
});

/** Raised when a stored state or timeline item cannot be read back. */
export class ActionStoreError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionStoreError';
  }
}

const StateRecordSchema = z.record(z.string(), z.unknown());

// -------------------------------------------------------------------------------------------
// Containment state
// -------------------------------------------------------------------------------------------

export interface DynamoContainmentStateOptions {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly incidentId: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * {@link ContainmentState} in DynamoDB: one item per key, the state as a JSON string (so any
 * shape round-trips, dates become ISO strings).
 *
 * `save` overwrites, as the contract says. The first capture is the one release must restore,
 * so a containment action keeps it by loading first and saving only when nothing is there:
 *
 * @example
 * const state = new DynamoContainmentState({ db, tableName, incidentId });
 * const before = (await state.load('ec2:i-0abc')) ?? (await capture());
 * await state.save('ec2:i-0abc', before); // unchanged when it was already saved
 */
export class DynamoContainmentState implements ContainmentState {
  private readonly options: DynamoContainmentStateOptions;

  public constructor(options: DynamoContainmentStateOptions) {
    this.options = options;
  }

  public async save(key: string, state: Readonly<Record<string, unknown>>): Promise<void> {
    const { db, tableName, incidentId } = this.options;
    const now = (this.options.now ?? Date.now)();
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...actionKeys.state(incidentId, key),
          incidentId,
          key,
          stateJson: toJson(state),
          savedAt: now,
        },
      }),
    );
  }

  public async load(key: string): Promise<Record<string, unknown> | undefined> {
    const { db, tableName, incidentId } = this.options;
    const out = await db.send(
      new GetCommand({ TableName: tableName, Key: actionKeys.state(incidentId, key), ConsistentRead: true }),
    );
    const json = out.Item?.stateJson;
    if (out.Item === undefined) return undefined;
    if (typeof json !== 'string')
      throw new ActionStoreError(`state ${key} of incident ${incidentId} has no JSON`);
    return parseState(json, key);
  }
}

/**
 * {@link ContainmentState} in memory, with the same JSON round trip as the DynamoDB one (tests,
 * the local engine). Shared across executions when the same instance is passed.
 *
 * @example
 * const state = new MemoryContainmentState();
 * await state.save('iam-user:alice', { keys: ['AKIA...'] });
 */
export class MemoryContainmentState implements ContainmentState {
  private readonly items = new Map<string, string>();

  public async save(key: string, state: Readonly<Record<string, unknown>>): Promise<void> {
    this.items.set(key, toJson(state));
  }

  public async load(key: string): Promise<Record<string, unknown> | undefined> {
    const json = this.items.get(key);
    return json === undefined ? undefined : parseState(json, key);
  }

  /** Keys saved so far. */
  public keys(): string[] {
    return [...this.items.keys()];
  }
}

function parseState(json: string, key: string): Record<string, unknown> {
  const parsed = StateRecordSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new ActionStoreError(`state ${key} is not an object`, { cause: parsed.error });
  return parsed.data;
}

// -------------------------------------------------------------------------------------------
// Timeline
// -------------------------------------------------------------------------------------------

/** What an action appends (the {@link Timeline} contract's entry). */
export type TimelineAppend = Parameters<Timeline['append']>[0];

export const ApiCallSchema = z.object({
  service: z.string(),
  api: z.string(),
  params: z.record(z.string(), z.unknown()),
  dryRun: z.boolean(),
  mutating: z.boolean(),
  requestId: z.string().optional(),
});

/** A timeline entry as stored and read back. */
export const TimelineEntrySchema = z.object({
  incidentId: z.string(),
  /** Epoch milliseconds of the append. */
  at: z.number(),
  action: z.string(),
  target: z.string(),
  dryRun: z.boolean(),
  /** `nothing-to-release`: a release found no containment to undo. */
  outcome: z.enum(['succeeded', 'failed', 'refused', 'nothing-to-release']),
  calls: z.array(ApiCallSchema),
  before: z.record(z.string(), z.unknown()).optional(),
  after: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  /** The action's read-back of its effect: `verified` and the evidence, check by check. */
  verification: VerificationSchema.optional(),
  playbookId: z.string(),
  playbookVersion: z.string(),
  executionId: z.string().optional(),
  mode: z.enum(['live', 'dry-run']),
  /** True when call parameters and before/after were dropped to fit DynamoDB's item size. */
  truncated: z.boolean().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

/** Above this JSON size, call parameters and before/after are dropped (DynamoDB items ≤ 400 KB). */
const MAX_ENTRY_CHARS = 300_000;

export interface DynamoTimelineOptions {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Stamped on every entry: incident, playbook id and version, execution id, mode. */
  readonly execution: ExecutionFacts;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * {@link Timeline} in DynamoDB: one item per entry in the incident's partition, sorted by time.
 * Calls, parameters and before/after are stored as DynamoDB maps after a JSON round trip (dates
 * become ISO strings, binary becomes base64); an entry that would not fit keeps its calls'
 * service/api/request ids and drops parameters and before/after (`truncated: true`).
 *
 * @example
 * const timeline = new DynamoTimeline({ db, tableName, execution });
 * await timeline.append({ action: 'isolate-instance', target: 'i-0abc', dryRun: false, outcome: 'succeeded', calls });
 * const entries = await listTimeline(db, tableName, execution.incidentId);
 */
export class DynamoTimeline implements Timeline {
  private readonly options: DynamoTimelineOptions;
  private seq = 0;

  public constructor(options: DynamoTimelineOptions) {
    this.options = options;
  }

  public async append(entry: TimelineAppend): Promise<void> {
    const { db, tableName, execution } = this.options;
    const at = (this.options.now ?? Date.now)();
    const record = timelineEntry(entry, execution, at);
    for (let attempt = 0; ; attempt += 1) {
      this.seq += 1;
      const suffix = `${String(this.seq).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
      const p = new Placeholders();
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...actionKeys.timeline(execution.incidentId, sortableTime(at), suffix), ...record },
            ConditionExpression: condition('attribute_not_exists({pk})', {}, p),
            ExpressionAttributeNames: p.names,
          }),
        );
        return;
      } catch (error) {
        const collision =
          error instanceof ConditionalCheckFailedException ||
          (error instanceof Error && error.name === 'ConditionalCheckFailedException');
        if (!collision || attempt >= 2) throw error;
      }
    }
  }
}

/**
 * The timeline of an incident, oldest first.
 *
 * @example
 * for (const entry of await listTimeline(db, tableName, 'inc-123')) console.log(entry.action, entry.outcome);
 */
export async function listTimeline(
  db: DynamoDBDocumentClient,
  tableName: string,
  incidentId: string,
): Promise<TimelineEntry[]> {
  const items = await queryPartition(db, tableName, `INCIDENT#${incidentId}`, actionKeys.timelinePrefix);
  return items.map((item) => {
    const parsed = TimelineEntrySchema.safeParse(item);
    if (!parsed.success) {
      throw new ActionStoreError(`timeline item ${String(item.sk)} of incident ${incidentId} is malformed`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  });
}

/**
 * {@link Timeline} in memory (tests, the local engine): the same entries as the DynamoDB one.
 *
 * @example
 * const timeline = new MemoryTimeline(execution);
 * await runAction(..., { timeline });
 * timeline.entries.map((e) => e.outcome);
 */
export class MemoryTimeline implements Timeline {
  private readonly list: TimelineEntry[] = [];
  private readonly execution: ExecutionFacts;
  private readonly now: () => number;

  public constructor(execution: ExecutionFacts, now: () => number = Date.now) {
    this.execution = execution;
    this.now = now;
  }

  public async append(entry: TimelineAppend): Promise<void> {
    this.list.push(TimelineEntrySchema.parse(timelineEntry(entry, this.execution, this.now())));
  }

  /** Entries in append order. */
  public get entries(): readonly TimelineEntry[] {
    return this.list;
  }
}

/** Builds the stored entry: the append plus the execution facts, JSON-safe and size-bounded. */
function timelineEntry(entry: TimelineAppend, execution: ExecutionFacts, at: number): TimelineEntry {
  const full: TimelineEntry = {
    incidentId: execution.incidentId,
    at,
    action: entry.action,
    target: entry.target,
    dryRun: entry.dryRun,
    outcome: entry.outcome,
    calls: entry.calls.map((call: ApiCall) => ApiCallSchema.parse(jsonSafe(call))),
    ...(entry.before === undefined ? {} : { before: StateRecordSchema.parse(jsonSafe(entry.before)) }),
    ...(entry.after === undefined ? {} : { after: StateRecordSchema.parse(jsonSafe(entry.after)) }),
    ...(entry.error === undefined ? {} : { error: entry.error }),
    ...(entry.verification === undefined ? {} : { verification: entry.verification }),
    playbookId: execution.playbookId,
    playbookVersion: execution.playbookVersion,
    ...(execution.executionId === undefined ? {} : { executionId: execution.executionId }),
    mode: execution.mode,
  };
  if (JSON.stringify(full).length <= MAX_ENTRY_CHARS) return full;
  const { before: _before, after: _after, ...rest } = full;
  return {
    ...rest,
    calls: full.calls.map(({ params: _params, ...call }) => ({ ...call, params: { truncated: true } })),
    truncated: true,
  };
}

/** A JSON round trip: Dates → ISO strings, binary → base64, bigint → string, undefined dropped. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(toJson(value));
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (v !== null && typeof v === 'object' && 'type' in v && v.type === 'Buffer' && 'data' in v) {
      const data = z.array(z.number().int()).safeParse(v.data);
      if (data.success) return Buffer.from(data.data).toString('base64');
    }
    return v;
  });
}
