import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LifecycleEvent, RecordingPublisher } from '../../../functions/core/lifecycle/events.ts';
import { relayOutbox, type StreamBatch, StreamBatchSchema } from '../../../functions/core/lifecycle/relay.ts';
import { REPO_ROOT } from '../../support/fixtures.ts';

function loadBatch(): StreamBatch {
  const text = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'streams', 'outbox-batch.json'), 'utf8');
  return StreamBatchSchema.parse(JSON.parse(text));
}

describe('relayOutbox', () => {
  it('publishes the operator kinds in order, drops the forged one saying who claimed it, skips other writes', async () => {
    // Prepare
    const publisher = new RecordingPublisher();

    // Act
    const report = await relayOutbox(loadBatch().Records, { publisher });

    // Assess
    expect(publisher.events.map((event) => event.kind)).toEqual(['assigned', 'closed', 'suppressionCreated']);
    expect(report).toMatchObject({ published: 3, skipped: 1, failures: [] });
    expect(report.dropped).toEqual([
      {
        eventID: 'e20b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
        reason: 'forged',
        detail: 'contained claimed by arn:aws:sts::111122223333:assumed-role/SecurityAnalyst/alice',
      },
    ]);
  });

  it('drops a malformed outbox item as invalid, never retrying it', async () => {
    // Prepare
    const batch = loadBatch();
    const [first] = batch.Records;
    if (first === undefined) throw new Error('empty fixture');
    const broken = {
      ...first,
      dynamodb: { ...first.dynamodb, NewImage: { ...first.dynamodb.NewImage, at: { S: 'noon' } } },
    };
    const publisher = new RecordingPublisher();

    // Act
    const report = await relayOutbox([broken], { publisher });

    // Assess
    expect(publisher.events).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.dropped.map((d) => [d.reason, d.detail])).toEqual([
      ['invalid', 'at: Invalid input: expected number, received string'],
    ]);
  });

  it('retries from the first failed chunk on: earlier chunks stay published', async () => {
    // Prepare
    const published: LifecycleEvent[][] = [];
    const publisher = {
      publish: async (events: readonly LifecycleEvent[]) => {
        if (published.length === 1) throw new Error('bus unavailable');
        published.push([...events]);
      },
    };

    // Act
    const report = await relayOutbox(loadBatch().Records, { publisher, chunkSize: 2 });

    // Assess
    expect(published.flat().map((event) => event.kind)).toEqual(['assigned', 'closed']);
    expect(report.failures).toEqual(['100000000000000000005']);
    expect(report.error).toBe('Error: bus unavailable');
  });
});
