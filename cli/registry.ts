import type { Command } from './command.ts';

/**
 * One line of the command table: what `riposte --help` prints, and how to load the command.
 * Commands are imported only when run, so `riposte --version` or `riposte incidents` never
 * load the playbook engine or the AWS clients of other commands.
 */
export interface CommandEntry {
  readonly name: string;
  /** One line for `riposte --help` (the module's `summary`, kept here so help loads nothing). */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/**
 * Every subcommand, in the order `riposte --help` lists them. To add a command, write
 * `cli/commands/<name>.ts` exporting a {@link Command} and add one line here; a test checks that
 * each entry's name and summary match its module.
 *
 * @example
 * { name: 'assign', summary: 'set an incident's owner', load: async () => (await import('./commands/assign.ts')).assignCommand },
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'play a simulated compromise through the local runtime (npm start)',
    load: async () => (await import('./commands/demo.ts')).demoCommand,
  },
  {
    name: 'normalize',
    summary: 'turn AWS security events into OCSF alerts (one JSON line per output)',
    load: async () => (await import('./commands/normalize.ts')).normalizeCommand,
  },
  {
    name: 'replay',
    summary: 'push events through the local pipeline (rules → normalize → store → dispatch)',
    load: async () => (await import('./commands/replay.ts')).replayCommand,
  },
  {
    name: 'serve',
    summary: 'a local PutEvents endpoint: events in, pipeline and playbooks run (dry-run)',
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  {
    name: 'console',
    summary: 'the web console on 127.0.0.1 (local store, or a deployment with --stack)',
    load: async () => (await import('./commands/console.ts')).consoleCommand,
  },
  {
    name: 'alerts',
    summary: 'list stored alerts, or show one (alerts show <id>)',
    load: async () => (await import('./commands/alerts.ts')).alertsCommand,
  },
  {
    name: 'incidents',
    summary: 'list incidents: status, owner, outcome, playbook (with filters)',
    load: async () => (await import('./commands/incidents.ts')).incidentsCommand,
  },
  {
    name: 'show',
    summary: "an incident's timeline: alerts, playbooks, actions and calls, approvals, milestones",
    load: async () => (await import('./commands/show.ts')).showCommand,
  },
  {
    name: 'rejected',
    summary: 'list events Riposte refused, with the reason',
    load: async () => (await import('./commands/list.ts')).rejectedCommand,
  },
  {
    name: 'match',
    summary: 'test an EventBridge event pattern against an event (prints true or false)',
    load: async () => (await import('./commands/match.ts')).matchCommand,
  },
  {
    name: 'run',
    summary: 'run one event through the pipeline and its playbooks, locally (dry-run)',
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  {
    name: 'release',
    summary: "undo an incident's containment with its release playbook (locally dry-run, or --stack)",
    load: async () => (await import('./commands/release.ts')).releaseCommand,
  },
  {
    name: 'approve',
    summary: "approve an incident's pending approval (locally, or --stack: the playbook continues)",
    load: async () => (await import('./commands/approve.ts')).approveCommand,
  },
  {
    name: 'deny',
    summary: "deny an incident's pending approval (locally, or --stack: the playbook stops)",
    load: async () => (await import('./commands/approve.ts')).denyCommand,
  },
  {
    name: 'assign',
    summary: 'set or clear who works an incident',
    load: async () => (await import('./commands/assign.ts')).assignCommand,
  },
  {
    name: 'note',
    summary: 'add a note to an incident (append-only, with author and time)',
    load: async () => (await import('./commands/note.ts')).noteCommand,
  },
  {
    name: 'tag',
    summary: 'add or remove tags on an incident',
    load: async () => (await import('./commands/tag.ts')).tagCommand,
  },
  {
    name: 'close',
    summary: 'close an incident with a resolution (optionally suppressing a false positive)',
    load: async () => (await import('./commands/close.ts')).closeCommand,
  },
  {
    name: 'reopen',
    summary: 'reopen a closed incident',
    load: async () => (await import('./commands/reopen.ts')).reopenCommand,
  },
  {
    name: 'suppressions',
    summary: 'list or remove suppressions (false positives kept from opening incidents)',
    load: async () => (await import('./commands/suppressions.ts')).suppressionsCommand,
  },
  {
    name: 'playbooks',
    summary: 'list, check, lock and graph the playbooks',
    load: async () => (await import('./commands/playbooks.ts')).playbooksCommand,
  },
  {
    name: 'stats',
    summary: 'time to detect and time to respond (MTTD, MTTR) from the stored incidents',
    load: async () => (await import('./commands/stats.ts')).statsCommand,
  },
];
