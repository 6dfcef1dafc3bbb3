import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DeploymentFigures,
  LIMITS,
  largest,
  limitViolations,
  measureAssembly,
  templateFiles,
} from '../../bench/deployment-limits.ts';
import { generatedIds, generatedPlaybooks } from '../../bench/generated-playbooks.ts';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';
import type { Playbook } from '../../functions/core/playbooks/sdk.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';

/**
 * The deployment stays inside AWS's documented limits (bench/deployment-limits.ts lists them
 * with their sources) with 1, 50 and 200 generated playbooks, and adding playbooks never touches
 * another playbook's resources. One synth per size, shared by the tests (the 200-playbook synth
 * takes several seconds); asset bundling is skipped, as `cdk synth --exclusively` does for
 * stacks not selected: it changes no template.
 */

const SIZES = [1, 50, 200] as const;

interface Deployment {
  readonly stack: RiposteStack;
  readonly outdir: string;
  readonly figures: DeploymentFigures;
}

function deploy(playbooks: readonly Playbook[], outdir: string): Deployment {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RiposteStack(app, 'Riposte', { config: parseConfig({}), playbooks });
  app.synth();
  return { stack, outdir, figures: measureAssembly(outdir, 'Riposte') };
}

/** The parent's resource of each playbook's nested stack, by playbook id: logical id and properties. */
function nestedStackResources(
  d: Deployment,
): Map<string, { logicalId: string; json: string; template: string }> {
  const root = JSON.parse(readFileSync(path.join(d.outdir, 'Riposte.template.json'), 'utf8')) as {
    Resources: Record<string, unknown>;
  };
  const result = new Map<string, { logicalId: string; json: string; template: string }>();
  for (const [id, machine] of d.stack.playbooks.machines) {
    const logicalId = d.stack.getLogicalId(machine.nestedStackResource as never);
    const name = new RegExp(
      `^RipostePlaybooks${id.replace(/[^A-Za-z0-9]/g, '')}[0-9A-F]{8}\\.nested\\.template\\.json$`,
    );
    const file = templateFiles(d.outdir, 'Riposte').find((f) => name.test(f));
    result.set(id, {
      logicalId,
      json: JSON.stringify(root.Resources[logicalId]),
      template: file === undefined ? '' : readFileSync(path.join(d.outdir, file), 'utf8'),
    });
  }
  return result;
}

describe('deployment limits', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riposte-limits-'));
  const deployments = new Map<number, Deployment>();

  beforeAll(() => {
    for (const size of SIZES) {
      deployments.set(size, deploy(generatedPlaybooks(size), path.join(dir, String(size))));
    }
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const at = (size: number): Deployment => {
    const d = deployments.get(size);
    if (d === undefined) throw new Error(`no deployment of ${size}`);
    return d;
  };

  it.each(SIZES)('holds %i generated playbooks within every documented limit', (size) => {
    // Prepare
    const { figures } = at(size);

    // Act
    const violations = limitViolations(figures);

    // Assess: nothing over, and the limits that grow with playbooks have room left
    expect(violations).toEqual([]);
    expect(figures.nestedStacks).toBe(size);
    const root = figures.templates[0];
    expect(root?.file).toBe('Riposte.template.json');
    expect(root?.resources).toBeLessThanOrEqual(LIMITS.resourcesPerTemplate);
    expect(root?.bytes).toBeLessThanOrEqual(LIMITS.templateBytesFromS3);
    expect(largest(figures.lambdaEnvironments).size).toBeLessThanOrEqual(LIMITS.lambdaEnvironmentBytes);
    expect(largest(figures.roleInlinePolicies).size).toBeLessThanOrEqual(LIMITS.roleInlinePolicyChars);
    expect(largest(figures.definitions).size).toBeLessThanOrEqual(LIMITS.stateMachineDefinitionBytes);
    expect(figures.rulesPerBus.default ?? 0).toBeLessThanOrEqual(LIMITS.rulesPerEventBus);
    for (const nested of figures.templates.slice(1)) {
      expect(nested.resources).toBeLessThan(20);
      expect(nested.outputs).toBeLessThanOrEqual(2);
    }
  });

  it('grows the parent by one resource per playbook and nothing else that is limited', () => {
    // Prepare
    const one = at(1).figures;
    const many = at(200).figures;

    // Act / Assess: the ingest environment, the roles' policies and the rules do not grow
    expect(many.templates[0]?.resources).toBe((one.templates[0]?.resources ?? 0) + 199);
    expect(largest(many.lambdaEnvironments).size).toBe(largest(one.lambdaEnvironments).size);
    expect(largest(many.roleInlinePolicies).size).toBe(largest(one.roleInlinePolicies).size);
    expect(many.rulesPerBus).toEqual(one.rulesPerBus);
  });

  it("never touches another playbook's resources when playbooks are added", () => {
    // Prepare: the 50 generated playbooks are among the 200, interleaved with the added ones
    const smaller = nestedStackResources(at(50));
    const larger = nestedStackResources(at(200));
    const sorted = [...generatedIds(200)].sort();
    expect(generatedIds(50).some((id) => sorted.indexOf(id) > 100)).toBe(true);

    // Act / Assess: same construct path, same logical id in the parent, same parameters and
    // template URL, and a byte-identical nested template
    for (const id of generatedIds(50)) {
      const before = smaller.get(id);
      const after = larger.get(id);
      expect(after?.logicalId, id).toBe(before?.logicalId);
      expect(after?.json, id).toBe(before?.json);
      expect(after?.template.length, id).toBeGreaterThan(0);
      expect(after?.template, id).toBe(before?.template);
      expect(at(200).stack.playbooks.machines.get(id)?.node.path).toBe(`Riposte/Playbooks/${id}`);
    }
    expect(larger.get(generatedIds(1)[0] as string)?.json).toBe(
      nestedStackResources(at(1)).get(generatedIds(1)[0] as string)?.json,
    );
  });

  it('holds the shipped playbooks within the same limits', async () => {
    // Prepare
    const shipped = deploy(await loadPlaybooks(), path.join(dir, 'shipped'));

    // Act / Assess
    expect(limitViolations(shipped.figures)).toEqual([]);
    expect(shipped.figures.nestedStacks).toBeGreaterThan(0);
  });

  it('reports what goes over a limit, naming the template and the figure', () => {
    // Prepare
    const figures = at(1).figures;
    const over: DeploymentFigures = {
      ...figures,
      templates: [{ ...(figures.templates[0] as DeploymentFigures['templates'][number]), resources: 501 }],
      lambdaEnvironments: [{ file: 'Riposte.template.json', logicalId: 'Fn', size: 4_097 }],
      rulesPerBus: { default: 301 },
    };

    // Act / Assess
    expect(limitViolations(over)).toEqual([
      'Riposte.template.json resources: 501 > 500',
      'Lambda environment Riposte.template.json Fn: 4097 > 4096',
      'rules on event bus default: 301 > 300',
    ]);
  });
});
