import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { taskTokenHash } from '#core/actions/approval/token.ts';
import { safetyKeys } from '#core/actions/safety.ts';
import { openLocalStore } from '../../cli/local/store.ts';
import { cli, runEvent } from '../support/cli.ts';

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';
const PROTECTED = 'examples/events/guardduty-ec2-protected-instance.json';

/** Writes the approval item as the request-approval action stores it: pending, token hashed. */
async function recordPendingApproval(dataDir: string, incidentId: string): Promise<void> {
  const store = await openLocalStore({ dataDir });
  try {
    const now = Date.now();
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...safetyKeys.approval(incidentId),
          incidentId,
          status: 'pending',
          taskTokenHash: taskTokenHash('task-token-of-the-waiting-execution'),
          message: 'Isolate i-0a1b2c3d4e5f60718?',
          requestedAt: now,
          deadline: now + 3_600_000,
          expiresAt: Math.ceil((now + 3_600_000) / 1000),
        },
      }),
    );
  } finally {
    await store.close();
  }
}

async function readApproval(
  dataDir: string,
  incidentId: string,
): Promise<Record<string, unknown> | undefined> {
  const store = await openLocalStore({ dataDir });
  try {
    const out = await store.db.send(
      new GetCommand({ TableName: store.tableName, Key: safetyKeys.approval(incidentId) }),
    );
    return out.Item;
  } finally {
    await store.close();
  }
}

describe('riposte approve / deny', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-approve-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('records an approval on the pending approval item, with the OS user as approver', async () => {
    // Prepare
    const incidentId = await runEvent(dataDir, C2);
    await recordPendingApproval(dataDir, incidentId);

    // Act
    const result = await cli(['approve', incidentId, '--data-dir', dataDir, '--json']);

    // Assess
    expect(result.code).toBe(0);
    const output = z
      .strictObject({
        incident: z.string(),
        status: z.literal('approved'),
        approver: z.string(),
        decidedAt: z.iso.datetime(),
        message: z.string().nullable(),
      })
      .parse(JSON.parse(result.stdout));
    expect(output).toMatchObject({ incident: incidentId, approver: userInfo().username });
    const item = await readApproval(dataDir, incidentId);
    expect(item).toMatchObject({ status: 'approved', approver: userInfo().username });
    expect(item).not.toHaveProperty('expiresAt');
  });

  it('records a denial, which show then reports', async () => {
    // Prepare
    const incidentId = await runEvent(dataDir, C2);
    await recordPendingApproval(dataDir, incidentId);

    // Act
    const denied = await cli(['deny', incidentId, '--data-dir', dataDir]);
    const shown = await cli(['show', incidentId, '--data-dir', dataDir]);

    // Assess
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain(`approval denied by ${userInfo().username}`);
    expect(shown.stdout).toContain(`denied by ${userInfo().username}`);
    expect(await readApproval(dataDir, incidentId)).toMatchObject({ status: 'denied' });
  });

  it('reports that nothing is pending when the playbook already decided in-line', async () => {
    // Prepare: `run --approve` answered and recorded the approval itself.
    const incidentId = await runEvent(dataDir, C2);

    // Act
    const result = await cli(['approve', incidentId, '--data-dir', dataDir]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`nothing to approve for incident ${incidentId}`);
    expect(result.stderr).toContain('approved by local operator');
    expect(await readApproval(dataDir, incidentId)).toMatchObject({ approver: 'local operator' });
  });

  it('reports that no approval was ever requested', async () => {
    // Prepare: a protected instance is only notified about, never put to approval.
    const incidentId = await runEvent(dataDir, PROTECTED);

    // Act
    const result = await cli(['deny', incidentId, '--data-dir', dataDir]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no approval was ever requested');
  });

  it('exits 1 for an incident that does not exist', async () => {
    // Prepare
    await runEvent(dataDir, C2);

    // Act
    const result = await cli(['approve', 'inc-000000000000000000000000', '--data-dir', dataDir]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no incident "inc-000000000000000000000000"');
  });
});
