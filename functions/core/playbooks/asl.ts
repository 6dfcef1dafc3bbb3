/**
 * The subset of the Amazon States Language (JSONPath flavour) that compiled playbooks use.
 * JSONPath, not JSONata: the local engine runs JSONPath only, and the same definition must run
 * on both.
 */

export type AslChoiceRule =
  | { readonly Variable: string; readonly StringEquals: string }
  | { readonly Variable: string; readonly NumericEquals: number }
  | { readonly Variable: string; readonly BooleanEquals: boolean }
  | { readonly Variable: string; readonly NumericGreaterThan: number }
  | { readonly Variable: string; readonly NumericGreaterThanEquals: number }
  | { readonly Variable: string; readonly NumericLessThan: number }
  | { readonly Variable: string; readonly NumericLessThanEquals: number }
  | { readonly Variable: string; readonly StringMatches: string }
  | { readonly Variable: string; readonly IsPresent: boolean }
  | { readonly And: readonly AslChoiceRule[] }
  | { readonly Or: readonly AslChoiceRule[] }
  | { readonly Not: AslChoiceRule };

export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface AslCatcher {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath?: string | null;
  readonly Next: string;
}

interface AslFlow {
  readonly Next?: string;
  readonly End?: boolean;
  readonly Comment?: string;
}

export interface AslTaskState extends AslFlow {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly ResultSelector?: Readonly<Record<string, unknown>>;
  readonly ResultPath?: string | null;
  readonly TimeoutSeconds?: number;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly AslCatcher[];
}

export interface AslPassState extends AslFlow {
  readonly Type: 'Pass';
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Result?: unknown;
  readonly ResultPath?: string | null;
}

export interface AslChoiceState {
  readonly Type: 'Choice';
  readonly Comment?: string;
  readonly Choices: readonly (AslChoiceRule & { readonly Next: string })[];
  readonly Default?: string;
}

export interface AslWaitState extends AslFlow {
  readonly Type: 'Wait';
  readonly Seconds: number;
}

export interface AslParallelState extends AslFlow {
  readonly Type: 'Parallel';
  readonly Branches: readonly AslStateMachine[];
  readonly ResultSelector?: Readonly<Record<string, unknown>>;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly AslCatcher[];
}

export interface AslSucceedState {
  readonly Type: 'Succeed';
  readonly Comment?: string;
}

export interface AslFailState {
  readonly Type: 'Fail';
  readonly Comment?: string;
  readonly Error: string;
  readonly Cause: string;
}

export type AslState =
  | AslTaskState
  | AslPassState
  | AslChoiceState
  | AslWaitState
  | AslParallelState
  | AslSucceedState
  | AslFailState;

export interface AslStateMachine {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
  readonly QueryLanguage?: 'JSONPath';
}
