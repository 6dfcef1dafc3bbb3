/**
 * Every AWS call an action makes (or, in dry-run, would make) is recorded with its exact
 * parameters: the audit trail, the dry-run answer, and what `riposte run --json` prints.
 */
export interface ApiCall {
  /** The AWS service client, e.g. `ec2`, `iam`. */
  readonly service: string;
  /** The AWS operation, e.g. `ModifyNetworkInterfaceAttribute`. */
  readonly api: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** True when the call was recorded but not sent (dry-run or world). */
  readonly dryRun: boolean;
  /** Whether the operation changes state (false for Describe/Get/List...). */
  readonly mutating: boolean;
  /** The AWS request id of a live call, for the audit trail. */
  readonly requestId?: string;
}

export class CallRecorder {
  private readonly list: ApiCall[] = [];

  public record(call: ApiCall): void {
    this.list.push(call);
  }

  /** All recorded calls, in order. */
  public get calls(): readonly ApiCall[] {
    return this.list;
  }

  /** The state-changing calls only: what containment did (or would do). */
  public get mutations(): readonly ApiCall[] {
    return this.list.filter((c) => c.mutating);
  }
}

const READ_PREFIXES = ['Describe', 'Get', 'List', 'Head', 'Lookup', 'Search', 'Simulate', 'Check'];

/** Whether an AWS operation name changes state. Reads are Describe/Get/List/Head/… */
export function isMutating(api: string): boolean {
  return !READ_PREFIXES.some((prefix) => api.startsWith(prefix));
}
