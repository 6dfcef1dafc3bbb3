import { type Coverage, type CoveragePlaybook, computeCoverage } from '#core/coverage/index.ts';
import { type CommandIo, write } from '../command.ts';
import { SEVERITY_NAMES, table } from '../output.ts';

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function render(coverage: Coverage): string {
  const { guardDuty, controls } = coverage;
  const covered = guardDuty.types.filter((t) => t.playbooks.length > 0);
  const lines = [
    `GuardDuty finding types with an automated response: ${guardDuty.covered} of ${guardDuty.total} (${percent(guardDuty.fraction)}), list of ${guardDuty.asOf}`,
    '',
    table(
      ['FINDING TYPE', 'PLAYBOOKS', 'VIA', 'FROM'],
      covered.map((t) => [
        t.type,
        t.playbooks.join(', '),
        t.channels.map((c) => (c === 'guardduty' ? 'GuardDuty' : 'Security Hub')).join(' + '),
        t.minSeverity === undefined ? 'any severity' : `≥ ${SEVERITY_NAMES[t.minSeverity] ?? t.minSeverity}`,
      ]),
    ),
    '',
    `Security Hub controls and Config rules with an automated response: ${controls.length}`,
    '',
    table(
      ['CONTROL', 'KIND', 'PLAYBOOKS'],
      controls.map((c) => [
        c.control,
        c.kind === 'securityhub-control' ? 'Security Hub control' : 'Config rule',
        c.playbooks.join(', '),
      ]),
    ),
  ];
  return lines.join('\n');
}

/**
 * `riposte playbooks coverage [--json]`: which GuardDuty finding types and Security Hub controls
 * the playbooks answer, with the fraction of GuardDuty's current finding types covered.
 *
 * @example
 * await playbooksCoverage(await loadPlaybooks(), { json: true }, io);
 */
export function playbooksCoverage(
  playbooks: readonly CoveragePlaybook[],
  options: { readonly json: boolean },
  io: CommandIo,
): number {
  const coverage = computeCoverage(playbooks);
  write(io.stdout, options.json ? JSON.stringify(coverage) : render(coverage));
  return 0;
}
