import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { enrichInstanceAction } from '../functions/core/actions/ec2/enrich-instance.ts';
import { definePlaybook, type Playbook } from '../functions/core/playbooks/sdk.ts';
import { REPO_ROOT } from './support.ts';

/**
 * Generated playbooks for the deployment-scale benchmark and the deployment-limits test: copies
 * of a small playbook (enrich an instance, notify) under different ids.
 *
 * The ids are `generated-<hash of the index>`, so the first n ids of a larger set interleave
 * with the others in sorted order: a set of 50 is a subset of the set of 200, and each of its
 * playbooks lands among the added ones, not before them. Whatever depends on a playbook's
 * position (rather than its id) shows up when the two deployments are compared.
 */

/** The id of the `index`-th generated playbook. */
export function generatedId(index: number): string {
  return `generated-${createHash('sha256').update(String(index)).digest('hex').slice(0, 10)}`;
}

/** The ids of the first `count` generated playbooks. */
export function generatedIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => generatedId(index));
}

const TRIGGER = {
  sources: ['aws.guardduty'],
  findingTypes: ['Recon:EC2/*'],
  minSeverity: 4,
  resourceTypes: ['AWS::EC2::Instance'],
} as const;

/** The generated playbook `id`, built in memory. */
export function generatedPlaybook(id: string): Playbook {
  return definePlaybook({
    id,
    version: '1.0.0',
    title: `Generated playbook ${id}`,
    description: 'Enriches an instance and notifies (deployment scale).',
    owner: 'bench',
    changelog: { '1.0.0': 'Generated.' },
    trigger: {
      ...TRIGGER,
      findingTypes: [...TRIGGER.findingTypes],
      sources: [...TRIGGER.sources],
      resourceTypes: [...TRIGGER.resourceTypes],
    },
    steps: (flow) =>
      flow
        .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), {
          name: 'Enrich instance',
        })
        .notify('told', { subject: 'Instance enriched' }, { name: 'Notify' }),
  });
}

/** The first `count` generated playbooks, in memory. */
export function generatedPlaybooks(count: number): Playbook[] {
  return generatedIds(count).map(generatedPlaybook);
}

/** The same playbook as a file of `playbooks/`, importing the SDK by absolute URL. */
function playbookSource(id: string): string {
  const core = (file: string): string => pathToFileURL(path.join(REPO_ROOT, 'functions', 'core', file)).href;
  return `import { enrichInstanceAction } from '${core('actions/ec2/enrich-instance.ts')}';
import { definePlaybook } from '${core('playbooks/sdk.ts')}';

export default definePlaybook({
  id: '${id}',
  version: '1.0.0',
  title: 'Generated playbook ${id}',
  description: 'Enriches an instance and notifies (deployment scale).',
  owner: 'bench',
  changelog: { '1.0.0': 'Generated.' },
  trigger: ${JSON.stringify(TRIGGER)},
  steps: (flow) =>
    flow
      .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }), { name: 'Enrich instance' })
      .notify('told', { subject: 'Instance enriched' }, { name: 'Notify' }),
});
`;
}

/** Writes the first `count` generated playbooks as files into a new folder under `dir`; returns it. */
export function writeGeneratedPlaybooks(dir: string, count: number): string {
  const folder = path.join(dir, `playbooks-${count}`);
  mkdirSync(folder, { recursive: true });
  for (const id of generatedIds(count)) writeFileSync(path.join(folder, `${id}.ts`), playbookSource(id));
  return folder;
}
