import { compileEventPattern, InvalidEventPatternError } from '#core/events/pattern.ts';
import { type Command, UsageError, write } from '../command.ts';
import { readJsonFile } from '../local/inputs.ts';

const HELP = `Usage: riposte match <pattern.json> <event.json>

Evaluates an EventBridge event pattern against an event with EventBridge's semantics and
prints true or false, as TestEventPattern would answer. Test rule patterns without an AWS
account.

Exit status, as grep answers: 0 when the pattern matches (true), 1 when it does not (false),
2 for an invalid pattern (the message says what is wrong), a usage error, or a file that is
missing, empty or not JSON.`;

export const matchCommand: Command = {
  name: 'match',
  summary: 'test an EventBridge event pattern against an event (prints true or false)',
  help: HELP,
  async run(args, io) {
    if (args.length !== 2) throw new UsageError('expected a pattern file and an event file');
    const [patternFile = '', eventFile = ''] = args;
    const read = (file: string, what: string): unknown => readJsonFile(io.cwd, file, what);
    const pattern = read(patternFile, 'pattern');
    const event = read(eventFile, 'event');
    try {
      const matcher = compileEventPattern(pattern);
      const matched = matcher.matches(event);
      write(io.stdout, String(matched));
      return matched ? 0 : 1;
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        write(io.stderr, `riposte match: invalid event pattern: ${error.message}`);
        return 2;
      }
      throw error;
    }
  },
};
