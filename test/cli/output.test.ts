import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { colorEnabled, terminalWidth } from '../../cli/output.ts';
import { abbreviateMiddle, table, wrap } from '../../cli/table.ts';
import { duration, triggerInWords } from '../../cli/words.ts';
import { compilePlaybook } from '../../functions/core/playbooks/compile.ts';
import { mermaid, ruleInWords } from '../../functions/core/playbooks/graph.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';

function tty(columns: number): PassThrough & { isTTY: boolean; columns: number } {
  return Object.assign(new PassThrough(), { isTTY: true, columns });
}

describe('tables', () => {
  const ARN = 'AWS::S3::Bucket arn:aws:s3:::payments-customer-exports-eu-west-1-prod';
  const rows = [
    ['inc-0123456789abcdef01234567', 'open', ARN, 'Public S3 bucket readable by anyone on the internet'],
  ];

  it('keeps natural widths when the table fits, and when nothing limits it (piped output)', () => {
    // Act
    const text = table(['ID', 'STATUS', 'RESOURCE', 'TITLE'], rows);

    // Assess
    expect(text.split('\n')[1]).toContain(ARN);
    expect(text.split('\n')[1]).toContain(rows[0]?.[3]);
  });

  it('fits the width: the resource abbreviated in its middle (its name kept), the title wrapped', () => {
    // Act
    const text = table(['ID', 'STATUS', 'RESOURCE', 'TITLE'], rows, {
      width: 90,
      fit: ['keep', 'keep', 'middle', 'wrap'],
    });

    // Assess
    const lines = text.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(90);
    expect(lines[1]).toContain('inc-0123456789abcdef01234567');
    expect(lines[1]).toMatch(/AWS::S3::[^ ]*…[^ ]*exports-eu-west-1-prod/);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(1).join(' ')).toContain('Public S3 bucket');
  });

  it('abbreviates in the middle and wraps at spaces', () => {
    // Assess
    expect(abbreviateMiddle('arn:aws:iam::123456789012:user/payments-deployer', 24)).toBe(
      'arn:aws…ayments-deployer',
    );
    expect(wrap('a title that goes on and on', 10)).toEqual(['a title', 'that goes', 'on and on']);
  });
});

describe('colour and width', () => {
  it('colours a terminal, not a pipe, and never with NO_COLOR', () => {
    // Assess
    expect(colorEnabled(tty(80), {})).toBe(true);
    expect(colorEnabled(tty(80), { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(new PassThrough(), {})).toBe(false);
    expect(colorEnabled(new PassThrough(), { FORCE_COLOR: '1' })).toBe(true);
  });

  it("fits the terminal's width, COLUMNS when set, and no width when piped", () => {
    // Assess
    expect(terminalWidth(tty(120), {})).toBe(120);
    expect(terminalWidth(tty(120), { COLUMNS: '70' })).toBe(70);
    expect(terminalWidth(new PassThrough(), {})).toBeUndefined();
  });
});

describe('words', () => {
  it('says a trigger as a sentence', () => {
    // Act
    const words = triggerInWords({
      sources: ['aws.guardduty'],
      findingTypes: ['Backdoor:EC2/*'],
      minSeverity: 3,
      resourceTypes: ['AWS::EC2::Instance'],
    });

    // Assess
    expect(words).toBe('GuardDuty Backdoor:EC2/* ≥ Medium on EC2 instances');
    expect(triggerInWords({ manual: true })).toMatch(/^manual/);
  });

  it.each([
    [850, '850 ms'],
    [4_200, '4.2 s'],
    [185_000, '3 min 5 s'],
    [7_980_000, '2 h 13 min'],
    [61_779.6 * 3_600_000, '7 y 19 d'],
    [null, '-'],
  ])('says %s ms as %s', (ms, words) => {
    // Assess
    expect(duration(ms)).toBe(words);
  });
});

describe('playbook graphs', () => {
  it('labels choices in words, not condition JSON', async () => {
    // Prepare
    const playbook = (await loadPlaybooks()).find((p) => p.id === 'ec2-instance-compromise');
    if (playbook === undefined) throw new Error('ec2-instance-compromise is missing');

    // Act
    const graph = mermaid(compilePlaybook(playbook));

    // Assess
    const labels = [...graph.matchAll(/-->\|"([^"]*)"\|/g)].map((m) => m[1] ?? '');
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) {
      expect(label).not.toMatch(/Variable|StringEquals|IsPresent|\$\.|[{}]/);
    }
    expect(
      ruleInWords({
        And: [
          { Variable: '$.steps.instance.output.environment', IsPresent: true },
          { Variable: '$.steps.instance.output.environment', StringEquals: 'production' },
        ],
      }),
    ).toBe("instance.environment is 'production'");
  });
});
