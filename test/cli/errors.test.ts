import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitEvents } from '../../cli/local/events-input.ts';
import { cli, runEvent } from '../support/cli.ts';
import { REPO_ROOT } from '../support/fixtures.ts';

const C2 = 'examples/events/guardduty-ec2-c2-activity.json';

/** Exactly one line on stderr, no stack frame. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toContain('    at ');
  return lines[0] ?? '';
}

describe('one-line errors', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'riposte-errors-'));
    await writeFile(path.join(dir, 'empty.json'), '');
    await writeFile(path.join(dir, 'blob.bin'), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x89]));
    await writeFile(path.join(dir, 'malformed.json'), '{"ec2": ');
    await writeFile(path.join(dir, 'array.json'), '[]');
    await writeFile(path.join(dir, 'bad-type.json'), '{"ec2": {"instances": "none"}}');
    await writeFile(path.join(dir, 'pattern.json'), '{"source": ["aws.guardduty"]}');
    await writeFile(path.join(dir, 'other.json'), '{"source": "aws.macie"}');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['empty.json', /"[^"]*empty\.json" is empty: expected an EventBridge event/],
    ['blob.bin', /"[^"]*blob\.bin" is not JSON \(.+\): expected an EventBridge event/],
    ['nope.json', /cannot read "[^"]*nope\.json": no such file or directory/],
  ])('run %s says why, exit 2', async (file, says) => {
    // Act
    const result = await cli(['run', path.join(dir, file)]);

    // Assess
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(says);
    expect(result.stdout).toBe('');
  });

  it.each([
    ['malformed.json', /the world file "[^"]*malformed\.json" is not JSON \(/],
    ['array.json', /InvalidWorldError: the world file "[^"]*array\.json" is not a world: the top level: /],
    ['bad-type.json', /InvalidWorldError: .*ec2\.instances: /],
    ['missing.json', /cannot read the world file "[^"]*missing\.json": no such file or directory/],
  ])('--world %s is one line with the reason', async (file, says) => {
    // Act
    const result = await cli(['run', C2, '--world', path.join(dir, file)]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(oneLine(result.stderr)).toMatch(says);
  });

  it('match answers false with exit 1, true with 0', async () => {
    // Act
    const yes = await cli(['match', path.join(dir, 'pattern.json'), C2]);
    const no = await cli(['match', path.join(dir, 'pattern.json'), path.join(dir, 'other.json')]);
    const empty = await cli(['match', path.join(dir, 'pattern.json'), path.join(dir, 'empty.json')]);

    // Assess
    expect(yes).toMatchObject({ code: 0, stdout: 'true\n' });
    expect(no).toMatchObject({ code: 1, stdout: 'false\n' });
    expect(empty.code).toBe(2);
    expect(oneLine(empty.stderr)).toMatch(/event "[^"]*empty\.json" is empty/);
  });
});

describe('incident prefixes', () => {
  let dataDir: string;
  let incidentId: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-prefix-'));
    incidentId = await runEvent(dataDir, C2);
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('resolves a short unambiguous prefix, with or without inc-', async () => {
    // Act
    const short = await cli(['show', incidentId.slice(0, 6), '--data-dir', dataDir, '--json']);
    const bare = await cli(['show', incidentId.slice(4, 7), '--data-dir', dataDir, '--json']);

    // Assess
    expect(short.code).toBe(0);
    expect(JSON.parse(short.stdout)).toMatchObject({ incident: { id: incidentId } });
    expect(bare.code).toBe(0);
    expect(JSON.parse(bare.stdout)).toMatchObject({ incident: { id: incidentId } });
  });
});

describe('events as files hold them', () => {
  it('splits JSON arrays and NDJSON into events, and keeps a broken line as an event of its own', () => {
    // Act
    const array = splitEvents('a.json', '[{"id":"1"},{"id":"2"}]');
    const ndjson = splitEvents('b.ndjson', '{"id":"1"}\n\n{"id":\n{"id":"3"}\n');
    const one = splitEvents('c.json', '{"id":"1"}');

    // Assess
    expect(array.format).toBe('array');
    expect(array.events.map((e) => e.input)).toEqual(['a.json[0]', 'a.json[1]']);
    expect(ndjson.format).toBe('ndjson');
    expect(ndjson.events.map((e) => e.input)).toEqual(['b.ndjson:1', 'b.ndjson:3', 'b.ndjson:4']);
    expect(one).toEqual({ format: 'event', events: [{ input: 'c.json', body: '{"id":"1"}' }] });
  });

  it('normalize reads an NDJSON export line by line', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'riposte-ndjson-'));
    const event = JSON.stringify(
      JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path.join(REPO_ROOT, C2), 'utf8'))),
    );
    await writeFile(path.join(dir, 'export.ndjson'), `${event}\n${event}\n`);

    // Act
    const result = await cli(['normalize', path.join(dir, 'export.ndjson')]);
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(result.code).toBe(0);
    const inputs = result.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { input: string; alert?: unknown }).input);
    expect(inputs).toEqual([`${path.join(dir, 'export.ndjson')}:1`, `${path.join(dir, 'export.ndjson')}:2`]);
  });
});

describe('replay', () => {
  it('dispatches: the playbooks run on the incidents it opens, and their world is kept', async () => {
    // Prepare
    const dataDir = await mkdtemp(path.join(tmpdir(), 'riposte-replay-'));

    // Act
    const replay = await cli(['replay', C2, '--data-dir', dataDir, '--approve', '--json']);
    const incidents = await cli(['incidents', '--data-dir', dataDir, '--json']);
    const [incident] = JSON.parse(incidents.stdout) as { id: string }[];
    const show = await cli(['show', incident?.id ?? '', '--data-dir', dataDir, '--json']);
    const world = await import('node:fs').then((fs) => fs.existsSync(path.join(dataDir, 'world.json')));
    await rm(dataDir, { recursive: true, force: true });

    // Assess
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({
      incidents: 1,
      executions: 1,
      playbooks: { SUCCEEDED: 1 },
    });
    const view = JSON.parse(show.stdout) as { actions: { action: string }[] };
    expect(view.actions.map((a) => a.action)).toContain('isolate-instance');
    expect(world).toBe(true);
  });
});
