import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compileEventPattern, InvalidEventPatternError } from '#core/events/pattern.ts';
import { type Command, UsageError, write } from '../command.ts';

const HELP = `Usage: riposte match <pattern.json> <event.json>

Evaluates an EventBridge event pattern against an event with EventBridge's semantics and
prints true or false, as TestEventPattern would answer. Test rule patterns without an AWS
account.

Exit status: 0 with the answer; 1 for an invalid pattern (the message says what is wrong);
2 for a usage error or an unreadable file.`;

export const matchCommand: Command = {
  name: 'match',
  summary: 'test an EventBridge event pattern against an event (prints true or false)',
  help: HELP,
  async run(args, io) {
    if (args.length !== 2) throw new UsageError('expected a pattern file and an event file');
    const [patternFile = '', eventFile = ''] = args;
    const read = async (file: string, what: string): Promise<unknown> => {
      let text: string;
      try {
        text = await readFile(path.resolve(io.cwd, file), 'utf8');
      } catch {
        throw new UsageError(`cannot read ${what} "${file}"`);
      }
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new UsageError(
          `${what} "${file}" is not valid JSON (${error instanceof Error ? error.message : ''})`,
        );
      }
    };
    const pattern = await read(patternFile, 'pattern');
    const event = await read(eventFile, 'event');
    try {
      const matcher = compileEventPattern(pattern);
      write(io.stdout, String(matcher.matches(event)));
      return 0;
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        write(io.stderr, `riposte match: invalid event pattern: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
