import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cli } from '../support/cli.ts';

const DemoSummarySchema = z.object({
  incidents: z.array(
    z.object({
      incident: z.string(),
      resource: z.string(),
      playbook: z.string(),
      status: z.string(),
      changes: z.number(),
    }),
  ),
  alerts: z.number(),
  deliveries: z.number(),
  rejected: z.array(z.object({ reason: z.string(), message: z.string() })),
  interrupted: z.boolean(),
});

async function freshDir(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'riposte-demo-')), 'store');
}

describe('riposte demo', () => {
  it('plays the compromise: three incidents contained in dry-run, the storm deduplicated, the broken event rejected', async () => {
    // Prepare
    const dataDir = await freshDir();

    // Act
    const result = await cli(['demo', '--storm', '5', '--data-dir', dataDir, '--json']);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = DemoSummarySchema.parse(JSON.parse(result.stdout));
    expect(summary.incidents.map((i) => i.playbook).sort()).toEqual([
      'ec2-instance-compromise',
      'iam-credential-compromise',
      's3-public-bucket',
    ]);
    expect(summary.incidents.every((i) => i.changes > 0)).toBe(true);
    expect(summary.alerts).toBe(3);
    expect(summary.deliveries).toBe(8);
    expect(summary.rejected).toHaveLength(1);
  });

  it('plays the library scenario: four newer playbooks answer, the root sign-in is paged and nothing contained', async () => {
    // Prepare
    const dataDir = await freshDir();

    // Act
    const result = await cli(['demo', '--scenario', 'library', '--data-dir', dataDir, '--json']);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = DemoSummarySchema.parse(JSON.parse(result.stdout));
    const byPlaybook = new Map(summary.incidents.map((i) => [i.playbook, i]));
    expect([...byPlaybook.keys()].sort()).toEqual([
      'instance-credential-exfiltration',
      'lambda-function-compromise',
      'rds-instance-exposure',
      'root-credential-use',
    ]);
    expect(byPlaybook.get('lambda-function-compromise')?.changes).toBe(2);
    expect(byPlaybook.get('rds-instance-exposure')?.changes).toBe(2);
    expect(byPlaybook.get('root-credential-use')?.changes).toBe(0);
    expect(summary.rejected).toEqual([]);
  });

  it('refuses an unknown scenario in one line, naming the ones there are', async () => {
    // Act
    const result = await cli(['demo', '--scenario', 'nope', '--data-dir', await freshDir()]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^riposte demo: no scenario nope: choose one of compromise, library/);
  });

  it('never empties a directory that is not a Riposte store', async () => {
    // Prepare
    const dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-demo-'));
    await writeFile(path.join(dataDir, 'notes.txt'), 'keep me');

    // Act
    const result = await cli(['demo', '--data-dir', dataDir, '--json']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('holds no Riposte store');
  });
});
