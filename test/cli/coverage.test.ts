import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cli as run } from '../support/cli.ts';

/** `playbooks coverage --json`: the GuardDuty figures and the controls. */
const CoverageSchema = z.object({
  guardDuty: z.object({
    asOf: z.string(),
    total: z.number().int().positive(),
    covered: z.number().int().nonnegative(),
    fraction: z.number().min(0).max(1),
    types: z.array(
      z.object({ type: z.string(), playbooks: z.array(z.string()), channels: z.array(z.string()) }),
    ),
  }),
  controls: z.array(z.object({ control: z.string(), kind: z.string(), playbooks: z.array(z.string()) })),
});

describe('riposte playbooks coverage', () => {
  it('reports, as JSON, the GuardDuty types the shipped triggers answer and the controls they name', async () => {
    // Act
    const result = await run(['playbooks', 'coverage', '--json']);

    // Assess
    expect(result.code).toBe(0);
    const coverage = CoverageSchema.parse(JSON.parse(result.stdout));
    const answered = new Map(coverage.guardDuty.types.map((t) => [t.type, t.playbooks]));
    expect(answered.get('Backdoor:EC2/C&CActivity.B!DNS')).toContain('ec2-instance-compromise');
    expect(answered.get('UnauthorizedAccess:IAMUser/TorIPCaller')).toContain('iam-credential-compromise');
    expect(coverage.guardDuty.covered).toBeGreaterThan(0);
    expect(coverage.guardDuty.covered).toBeLessThan(coverage.guardDuty.total);
    expect(coverage.controls.map((c) => c.control)).toContain('S3.8');
  });

  it('prints the fraction covered and a table for a person', async () => {
    // Act
    const result = await run(['playbooks', 'coverage']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /GuardDuty finding types with an automated response: \d+ of \d+ \(\d+\.\d%\), list of \d{4}-\d{2}-\d{2}/,
    );
    expect(result.stdout).toContain('Backdoor:EC2/C&CActivity.B!DNS');
    expect(result.stdout).toMatch(/S3\.8\s+Security Hub control\s+s3-public-bucket/);
  });
});
