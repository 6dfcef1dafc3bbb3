import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AslStateMachine } from '../../functions/core/playbooks/asl.ts';
import { compilePlaybook } from '../../functions/core/playbooks/compile.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';
import { TriggerSchema } from '../../functions/core/playbooks/trigger.ts';
import ec2Compromise from '../../playbooks/ec2-instance-compromise.ts';
import { cli as run } from '../support/cli.ts';

/** Every state name of a compiled machine, parallel branches included. */
function stateNames(machine: AslStateMachine): string[] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    name,
    ...(state.Type === 'Parallel' ? state.Branches.flatMap(stateNames) : []),
  ]);
}

/** `playbooks list --json`: exactly these fields, the trigger as playbooks declare it. */
const ListSchema = z.array(
  z.strictObject({
    id: z.string(),
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    title: z.string().min(1),
    trigger: TriggerSchema,
  }),
);

/** The playbooks in playbooks/, whatever they are: an author's new playbook is one more. */
const shipped = async (): Promise<string[]> => (await loadPlaybooks()).map((p) => p.id).sort();

describe('riposte playbooks list', () => {
  it('prints a JSON array of {id, version, title, trigger} with --json', async () => {
    // Act
    const result = await run(['playbooks', 'list', '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const rows = ListSchema.parse(JSON.parse(result.stdout));
    expect(rows.map((row) => row.id).sort()).toEqual(await shipped());
    const ec2 = rows.find((row) => row.id === 'ec2-instance-compromise');
    expect(ec2).toEqual({
      id: 'ec2-instance-compromise',
      version: ec2Compromise.version,
      title: ec2Compromise.title,
      trigger: ec2Compromise.trigger,
    });
    const release = rows.find((row) => row.id === 'ec2-instance-release');
    expect(release?.trigger).toEqual({ manual: true });
  });
});

describe('riposte playbooks graph', () => {
  it('prints a Mermaid flowchart naming every state of the compiled machine', async () => {
    // Prepare
    const names = stateNames(compilePlaybook(ec2Compromise));

    // Act
    const result = await run(['playbooks', 'graph', 'ec2-instance-compromise']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('flowchart TD');
    expect(names).toEqual(
      expect.arrayContaining(['Enrich instance', 'Isolate and snapshot', 'Notify: isolated']),
    );
    for (const name of names) expect(result.stdout).toContain(`"${name}`);
  });

  it('refuses an unknown playbook with a usage error', async () => {
    // Act
    const result = await run(['playbooks', 'graph', 'no-such-playbook']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no playbook "no-such-playbook"');
    expect(result.stdout).toBe('');
  });
});

describe('riposte playbooks check', () => {
  it('exits 0 on the repository: the playbooks match the committed lock', async () => {
    // Act
    const result = await run(['playbooks', 'check']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${(await shipped()).length} playbooks match the lock`);
    expect(result.stderr).toBe('');
  });

  it('exits 2 on an unknown subcommand', async () => {
    // Act
    const result = await run(['playbooks', 'deploy']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown subcommand "deploy"');
  });
});
