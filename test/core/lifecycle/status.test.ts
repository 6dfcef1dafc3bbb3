import { describe, expect, it } from 'vitest';
import {
  type DerivedStatus,
  deriveStatus,
  type LifecycleFacts,
  parseResolution,
  parseStatus,
  statusLabel,
} from '../../../functions/core/lifecycle/status.ts';

const OPENED = 1_000;

/** Facts in the order a response records them; each row adds to an open incident. */
const CASES: readonly { name: string; facts: Omit<LifecycleFacts, 'openedAt'>; expected: DerivedStatus }[] = [
  { name: 'no playbook yet', facts: {}, expected: { status: 'new', dryRun: false } },
  {
    name: 'a playbook loaded the incident',
    facts: { playbookStartedAt: 2_000, respondingAt: 2_000 },
    expected: { status: 'responding', dryRun: false },
  },
  {
    name: 'an approval is requested',
    facts: { playbookStartedAt: 2_000, awaitingApprovalSince: 3_000 },
    expected: { status: 'awaiting_approval', dryRun: false },
  },
  {
    name: 'a live containment completed',
    facts: { playbookStartedAt: 2_000, containedAt: 4_000 },
    expected: { status: 'contained', dryRun: false },
  },
  {
    name: 'contained, then a later step failed: still contained',
    facts: {
      playbookStartedAt: 2_000,
      containedAt: 4_000,
      playbookStatus: 'failed',
      playbookUpdatedAt: 5_000,
    },
    expected: { status: 'contained', dryRun: false },
  },
  {
    name: 'the playbook failed before containing',
    facts: { playbookStartedAt: 2_000, playbookStatus: 'failed', playbookUpdatedAt: 5_000 },
    expected: { status: 'failed', dryRun: false, reason: 'playbook-failed' },
  },
  {
    name: 'a dry-run containment (sample, kill switch, local run)',
    facts: {
      playbookStartedAt: 2_000,
      dryRunContainedAt: 4_000,
      playbookStatus: 'completed',
      playbookUpdatedAt: 5_000,
    },
    expected: { status: 'not_contained', dryRun: true, reason: 'dry-run' },
  },
  {
    name: 'a dry-run containment while the playbook still runs',
    facts: { playbookStartedAt: 2_000, dryRunContainedAt: 4_000 },
    expected: { status: 'responding', dryRun: false },
  },
  {
    name: 'a safety rail refused the containment',
    facts: {
      playbookStartedAt: 2_000,
      refusedAt: 3_000,
      playbookStatus: 'completed',
      playbookUpdatedAt: 5_000,
    },
    expected: { status: 'not_contained', dryRun: false, reason: 'refused' },
  },
  {
    name: 'the approval was denied',
    facts: {
      playbookStartedAt: 2_000,
      approvalDeniedAt: 5_000,
      playbookStatus: 'completed',
      playbookUpdatedAt: 5_000,
    },
    expected: { status: 'not_contained', dryRun: false, reason: 'approval-denied' },
  },
  {
    name: 'a sample incident only notified',
    facts: { sample: true, playbookStartedAt: 2_000, playbookStatus: 'completed', playbookUpdatedAt: 5_000 },
    expected: { status: 'not_contained', dryRun: false, reason: 'sample' },
  },
  {
    name: 'a playbook that does not contain completed',
    facts: { playbookStartedAt: 2_000, playbookStatus: 'completed', playbookUpdatedAt: 5_000 },
    expected: { status: 'not_contained', dryRun: false, reason: 'no-containment' },
  },
  {
    name: 'an escalation started another playbook after the first ended',
    facts: {
      playbookStartedAt: 2_000,
      respondingAt: 6_000,
      playbookStatus: 'completed',
      playbookUpdatedAt: 5_000,
    },
    expected: { status: 'responding', dryRun: false },
  },
  {
    name: 'released for real',
    facts: { containedAt: 4_000, releasedAt: 7_000, playbookStatus: 'completed', playbookUpdatedAt: 7_000 },
    expected: { status: 'released', dryRun: false },
  },
  {
    name: 'a dry-run release of a dry-run containment',
    facts: { dryRunContainedAt: 4_000, dryRunReleasedAt: 7_000 },
    expected: { status: 'released', dryRun: true, reason: 'dry-run' },
  },
  {
    name: 'a dry-run release does not undo a real containment',
    facts: { containedAt: 4_000, dryRunReleasedAt: 7_000 },
    expected: { status: 'contained', dryRun: false },
  },
  {
    name: 'closed as a true positive',
    facts: { containedAt: 4_000, closedAt: 9_000, resolution: 'true_positive' },
    expected: { status: 'resolved', dryRun: false },
  },
  {
    name: 'closed as a false positive while awaiting approval',
    facts: { awaitingApprovalSince: 3_000, closedAt: 9_000, resolution: 'false_positive' },
    expected: { status: 'closed', dryRun: false },
  },
  {
    name: 'closed as benign',
    facts: { closedAt: 9_000, resolution: 'benign' },
    expected: { status: 'closed', dryRun: false },
  },
];

describe('deriveStatus', () => {
  it.each(CASES)('$name', ({ facts, expected }) => {
    // Prepare
    const all: LifecycleFacts = { openedAt: OPENED, ...facts };

    // Act
    const derived = deriveStatus(all);

    // Assess
    expect(derived).toEqual(expected);
  });
});

describe('statusLabel', () => {
  it('names the reason an incident is not contained, and marks dry-runs', () => {
    // Act
    const labels = [
      statusLabel({ status: 'not_contained', dryRun: true, reason: 'dry-run' }),
      statusLabel({ status: 'not_contained', dryRun: false, reason: 'approval-denied' }),
      statusLabel({ status: 'released', dryRun: true }),
      statusLabel({ status: 'awaiting_approval' }),
    ];

    // Assess
    expect(labels).toEqual([
      'not contained (dry-run)',
      'not contained (approval denied)',
      'released (dry-run)',
      'awaiting approval',
    ]);
  });
});

describe('parseStatus and parseResolution', () => {
  it('accepts the spellings an operator types and refuses others', () => {
    // Act and assess
    expect(parseStatus('Not-Contained')).toBe('not_contained');
    expect(parseStatus('awaiting approval')).toBe('awaiting_approval');
    expect(parseStatus('open')).toBeUndefined();
    expect(parseResolution('false-positive')).toBe('false_positive');
    expect(parseResolution('FP')).toBe('false_positive');
    expect(parseResolution('maybe')).toBeUndefined();
  });
});
