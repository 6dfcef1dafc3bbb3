import { parseArgs } from 'node:util';
import { compilePlaybook } from '#core/playbooks/compile.ts';
import { mermaid } from '#core/playbooks/graph.ts';
import { checkLock, readLock, relock, writeLock } from '#core/playbooks/lock.ts';

import { precedenceProblems } from '#core/playbooks/precedence.ts';
import { playbookTrustProblems } from '#core/playbooks/trust.ts';
import { type Command, UsageError, write } from '../command.ts';
import { loadPlaybooksFor } from '../local/playbooks.ts';
import { formatTypeProblem, playbookTypeProblems } from '../local/typecheck.ts';
import { layoutFor, table } from '../output.ts';
import { triggerInWords } from '../words.ts';
import { playbooksCoverage } from './coverage.ts';

const HELP = `Usage: riposte playbooks <list|check|lock|graph|coverage> [options]

  list [--json]   the playbooks in playbooks/: id, version, title, trigger (in words; as
                  declared with --json)
  check           fails when a playbook or its test (test/playbooks/) does not type-check,
                  when two playbooks can change the resource of one finding and neither
                  supersedes the other, when a definition changed without a version bump,
                  when a playbook that contains has a trigger naming no sources,
                  or when the lock (playbooks/riposte.lock.json) is out of date; says what to do
  lock            records each playbook's version and definition hash in the lock
                  (refused while a definition changed without a version bump)
  graph ID        a Mermaid flowchart of the playbook's compiled state machine
  coverage [--json]  which GuardDuty finding types (of AWS's current list) and which Security
                  Hub controls and Config rules the triggers answer, with the fraction covered`;

export const playbooksCommand: Command = {
  name: 'playbooks',
  summary: 'list, check, lock and graph the playbooks',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false } },
    });
    const [sub, ...rest] = positionals;
    const { playbooks, broken } = await loadPlaybooksFor(io, `playbooks ${sub ?? ''}`.trim());
    switch (sub) {
      case 'list': {
        const rows = playbooks.map((p) => ({
          id: p.id,
          version: p.version,
          title: p.title,
          trigger: p.trigger,
        }));
        write(
          io.stdout,
          values.json
            ? JSON.stringify(rows)
            : table(
                ['ID', 'VERSION', 'TITLE', 'TRIGGER'],
                rows.map((r) => [r.id, r.version, r.title, triggerInWords(r.trigger)]),
                layoutFor(io, { fit: ['keep', 'keep', 'wrap', 'wrap'] }),
              ),
        );
        return 0;
      }
      case 'check': {
        const problems = [
          ...(await playbookTypeProblems({ tests: true })).map((p) => ({ message: formatTypeProblem(p) })),
          ...precedenceProblems(playbooks),
          ...checkLock(playbooks, readLock()),
          ...playbookTrustProblems(playbooks),
        ];
        if (broken.length > 0) {
          for (const problem of problems) write(io.stderr, `✗ ${problem.message}`);
          return 1;
        }
        if (problems.length === 0) {
          write(io.stdout, `playbooks check: ${playbooks.length} playbooks match the lock`);
          return 0;
        }
        for (const problem of problems) write(io.stderr, `✗ ${problem.message}`);
        return 1;
      }
      case 'lock': {
        if (broken.length > 0) {
          write(io.stderr, 'riposte playbooks lock: not locked: fix the playbooks above first');
          return 1;
        }
        const result = relock(playbooks, readLock());
        if ('blocked' in result) {
          for (const problem of result.blocked) write(io.stderr, `✗ ${problem.message}`);
          return 1;
        }
        writeLock(result.lock);
        write(io.stdout, `locked ${playbooks.length} playbooks in playbooks/riposte.lock.json`);
        return 0;
      }
      case 'coverage':
        return playbooksCoverage(playbooks, { json: values.json }, io);
      case 'graph': {
        const [id] = rest;
        if (id === undefined) throw new UsageError('graph needs a playbook id');
        const playbook = playbooks.find((p) => p.id === id);
        if (playbook === undefined) {
          throw new UsageError(`no playbook "${id}" (known: ${playbooks.map((p) => p.id).join(', ')})`);
        }
        write(io.stdout, mermaid(compilePlaybook(playbook)));
        return 0;
      }
      default:
        throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`);
    }
  },
};
