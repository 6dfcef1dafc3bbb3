import { c2Finding, malformedEvent, publicBucketFinding, torKeyFinding } from '../demo-events.ts';
import type { Scenario } from './index.ts';

/**
 * The simulated compromise `npm start` plays: an EC2 instance talking to a command-and-control
 * domain, a leaked access key used from Tor, a bucket made public, a storm of duplicate
 * deliveries of the first finding, and one malformed event.
 */
export const compromiseScenario: Scenario = {
  name: 'compromise',
  summary:
    'an instance talking to a command-and-control domain, a leaked key used from Tor, a public bucket, a storm of duplicates and a malformed event',
  steps: ({ now, stormSize }) => [
    {
      title: 'GuardDuty: instance i-0a1b2c3d4e5f60718 queries a command-and-control domain',
      events: () => [{ input: 'c2', body: JSON.stringify(c2Finding(now)) }],
    },
    {
      title: 'GuardDuty: the access key of payments-deployer is used from a Tor exit node',
      events: () => [{ input: 'tor', body: JSON.stringify(torKeyFinding(now)) }],
    },
    {
      title: 'Access Analyzer: bucket payments-exports is readable by anyone',
      events: () => [{ input: 'bucket', body: JSON.stringify(publicBucketFinding(now)) }],
    },
    {
      title: `A storm: the command-and-control finding delivered ${stormSize} more times`,
      events: () =>
        Array.from({ length: stormSize }, (_, i) => ({
          input: `storm-${i}`,
          body: JSON.stringify(c2Finding(now, i + 2)),
        })),
    },
    {
      title: 'A broken integration sends a truncated event',
      events: () => [{ input: 'malformed', body: malformedEvent(now) }],
    },
  ],
};
