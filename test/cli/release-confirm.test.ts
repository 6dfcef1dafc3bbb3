import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createReleaseCommand } from '../../cli/commands/release.ts';
import type { ReleasePrompt } from '../../cli/commands/release-confirm.ts';
import { torKeyFinding } from '../../cli/local/demo-events.ts';
import { cli, runEvent } from '../support/cli.ts';
import { guardDutyAccessKeyFinding } from '../support/events.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';
const KMS_SCHEDULED = 'test/fixtures/events/cloudtrail/api-call-kms-schedulekeydeletion.json';

/** A terminal that answers `answer` and keeps the questions it was asked. */
function terminal(answer: string): ReleasePrompt & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    interactive: () => true,
    ask: async (question) => {
      asked.push(question);
      return answer;
    },
  };
}

/** Runs `riposte release` in-process with an injected prompt. */
async function release(args: readonly string[], prompt: ReleasePrompt) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const code = await createReleaseCommand(() => prompt).run(args, {
    stdout,
    stderr,
    stdin: Readable.from([]),
    cwd: REPO_ROOT,
  });
  return { code, stdout: out, stderr: err };
}

const ShowSchema = z.object({
  incident: z.object({ status: z.string() }),
  executions: z.array(z.object({ playbook: z.string(), status: z.string() })),
});

describe('riposte release: confirmation', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-release-confirm-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('without a terminal and without --yes refuses in one line that says to pass --yes, releasing nothing', async () => {
    // Prepare
    const incidentId = await runEvent(dataDir, C2);

    // Act
    const result = await cli(['release', incidentId, '--data-dir', dataDir]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('pass --yes');
    const shown = await cli(['show', incidentId, '--data-dir', dataDir, '--json']);
    const view = ShowSchema.parse(JSON.parse(shown.stdout));
    expect(view.executions.map((e) => e.playbook)).toEqual(['ec2-instance-compromise']);
  });

  it('on a terminal lists what will be undone and releases once confirmed', async () => {
    // Prepare
    const eventFile = path.join(dataDir, 'tor.json');
    await writeFile(eventFile, JSON.stringify(torKeyFinding(Date.now())));
    const incidentId = await runEvent(dataDir, eventFile);
    const prompt = terminal('y');

    // Act
    const result = await release([incidentId, '--data-dir', dataDir], prompt);

    // Assess
    expect(prompt.asked).toEqual(['Release? [y/N] ']);
    expect(result.stderr).toContain(`iam-credential-release will undo on ${incidentId}`);
    expect(result.stderr).toMatch(/- contain-iam-user on \S+: UpdateAccessKey/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/iam-credential-release \d+\.\d+\.\d+: SUCCEEDED/);
  });

  it('lists only what the release undoes: the contained caller, not the cancelled key deletion', async () => {
    // Prepare: a scheduled key deletion, cancelled (restore-kms-key) and its caller contained
    const incidentId = await runEvent(dataDir, KMS_SCHEDULED);
    const prompt = terminal('n');

    // Act
    const result = await release([incidentId, '--data-dir', dataDir], prompt);

    // Assess
    expect(result.stderr).toContain(`kms-key-deletion-release will undo on ${incidentId}`);
    expect(result.stderr).toContain('- revoke-role-sessions on ci-deployer: PutRolePolicy');
    expect(result.stderr).not.toContain('restore-kms-key');
    expect(result.code).toBe(1);
  });

  it('on a terminal releases nothing when the answer is not yes', async () => {
    // Prepare
    const incidentId = await runEvent(dataDir, C2);
    const prompt = terminal('n');

    // Act
    const result = await release([incidentId, '--data-dir', dataDir], prompt);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('- isolate-instance on i-0a1b2c3d4e5f60718: ');
    expect(result.stderr).toContain('not confirmed');
    const shown = await cli(['show', incidentId, '--data-dir', dataDir, '--json']);
    const view = ShowSchema.parse(JSON.parse(shown.stdout));
    expect(view.executions.map((e) => e.playbook)).toEqual(['ec2-instance-compromise']);
    expect(view.incident.status).not.toBe('released');
  });

  it('with --yes does not ask', async () => {
    // Prepare
    const incidentId = await runEvent(dataDir, C2);
    const prompt = terminal('n');

    // Act
    const result = await release([incidentId, '--data-dir', dataDir, '--yes'], prompt);

    // Assess
    expect(prompt.asked).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('says there is nothing to release for an incident never contained: not a success, not released', async () => {
    // Prepare: the break-glass user is protected, so its containment is refused.
    const eventFile = path.join(dataDir, 'protected.json');
    await writeFile(
      eventFile,
      JSON.stringify(
        guardDutyAccessKeyFinding({ userName: 'break-glass-admin', accessKeyId: 'AKIABREAKGLASSKEY001' }),
      ),
    );
    const incidentId = await runEvent(dataDir, eventFile);
    const prompt = terminal('yes');

    // Act
    const result = await release([incidentId, '--data-dir', dataDir], prompt);
    const json = await cli(['release', incidentId, '--data-dir', dataDir, '--yes', '--json']);

    // Assess
    expect(result.stderr).toContain('no containment recorded');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /nothing to release: incident \S+ was never contained, .*: nothing was released/,
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'SUCCEEDED', outcome: 'nothing-to-release' });
    const shown = await cli(['show', incidentId, '--data-dir', dataDir, '--json']);
    const view = ShowSchema.parse(JSON.parse(shown.stdout));
    expect(view.incident.status).not.toBe('released');
    expect(
      view.executions.filter((e) => e.playbook === 'iam-credential-release').map((e) => e.status),
    ).toEqual(['nothing-to-release']);
  });
});
