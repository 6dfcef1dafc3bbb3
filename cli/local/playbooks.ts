import { type BrokenPlaybook, loadPlaybookReport } from '#core/playbooks/registry.ts';
import type { Playbook } from '#core/playbooks/sdk.ts';
import { type CommandIo, write } from '../command.ts';
import { oneLine } from '../errors.ts';

/**
 * The playbooks a command works with: every playbook that loads, with one line on stderr for
 * each file that does not (a syntax error, a duplicate id...), so one broken playbook never
 * stops the others from running.
 *
 * @example
 * const { playbooks, broken } = await loadPlaybooksFor(io, 'run');
 */
export async function loadPlaybooksFor(
  io: Pick<CommandIo, 'stderr'>,
  command: string,
): Promise<{ playbooks: Playbook[]; broken: BrokenPlaybook[] }> {
  const { playbooks, broken } = await loadPlaybookReport();
  for (const b of broken) write(io.stderr, `riposte ${command}: skipped ${b.file}: ${brokenReason(b)}`);
  return { playbooks, broken };
}

/** A broken playbook's reason on one line, its error's name first when it says something. */
export function brokenReason(broken: BrokenPlaybook): string {
  const { error } = broken;
  const name = error.name === 'Error' ? '' : `${error.name}: `;
  return `${name}${oneLine(error.message)}`;
}
