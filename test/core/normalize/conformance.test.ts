import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Alert, AlertSchema } from '../../../functions/core/alert.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import {
  CORPUS_DIR,
  corpusFiles,
  FIXTURES_DIR,
  type FixtureEvent,
  listJsonFiles,
  loadFixture,
} from '../../support/fixtures.ts';
import { set } from '../../support/normalize.ts';
import { ocsfSchemaAvailable, validateOcsf, violationsOnly } from '../../support/ocsf-conformance.ts';

interface Case {
  readonly name: string;
  readonly alerts: readonly Alert[];
}

/** Every alert normalize() produces from each file (files that yield only rejections are left out). */
function casesFrom(root: string, prefix: string, files: readonly string[]): Case[] {
  const cases: Case[] = [];
  for (const file of files) {
    const alerts = normalize(readFileSync(file)).flatMap((output) =>
      'alert' in output ? [output.alert] : [],
    );
    if (alerts.length > 0) cases.push({ name: `${prefix}/${path.relative(root, file)}`, alerts });
  }
  return cases;
}

/** The conformance violations of each alert, keyed by its position in the file's outputs. */
function violationsOf(alerts: readonly Alert[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  alerts.forEach((alert, index) => {
    const violations = violationsOnly(validateOcsf(alert.ocsf));
    const schema = AlertSchema.safeParse(alert);
    const issues = schema.success
      ? []
      : schema.error.issues.map((i) => `AlertSchema ${i.path.join('.')}: ${i.message}`);
    if (violations.length + issues.length > 0) found[`alert #${index}`] = [...violations, ...issues];
  });
  return found;
}

const fixtureCases = casesFrom(FIXTURES_DIR, 'fixtures', listJsonFiles(FIXTURES_DIR));
const corpusCases = casesFrom(CORPUS_DIR, 'corpus', corpusFiles());

/** Variants of the fixtures that reach branches the files themselves do not. */
const VARIANTS: ReadonlyArray<{ name: string; event: () => FixtureEvent }> = [
  {
    name: 'GuardDuty archived finding (Close)',
    event: () =>
      set(loadFixture('guardduty/instance-backdoor-cc-dns-high.json'), 'detail.service.archived', true),
  },
  {
    name: 'GuardDuty EKS cluster finding with a Kubernetes API call',
    event: () => {
      const event = loadFixture('guardduty/instance-backdoor-cc-dns-high.json');
      set(event, 'detail.resource', {
        resourceType: 'EKSCluster',
        eksClusterDetails: { name: 'prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' },
      });
      return set(event, 'detail.service.action', {
        actionType: 'KUBERNETES_API_CALL',
        kubernetesApiCallAction: { verb: 'list', sourceIps: ['198.51.100.3'] },
      });
    },
  },
  {
    name: 'GuardDuty malware scan, legacy THREAT_FOUND spelling',
    event: () =>
      set(
        loadFixture('guardduty/malware-protection-s3-object-threats-found.json'),
        'detail.scanResultDetails.scanResultStatus',
        'THREAT_FOUND',
      ),
  },
  {
    name: 'GuardDuty outbound connection without localIpDetails',
    event: () => {
      const event = loadFixture('guardduty/instance-ssh-bruteforce-sample.json');
      set(event, 'detail.service.action.networkConnectionAction.connectionDirection', 'OUTBOUND');
      return set(event, 'detail.service.action.networkConnectionAction.localIpDetails', undefined);
    },
  },
  {
    name: 'GuardDuty instance tag with an empty value (EC2 allows them)',
    event: () =>
      set(
        loadFixture('guardduty/instance-backdoor-cc-dns-high.json'),
        'detail.resource.instanceDetails.tags',
        [{ key: 'Backup', value: '' }],
      ),
  },
  {
    name: 'Macie bucket tag with an empty value',
    event: () =>
      set(
        loadFixture('macie/finding-sensitive-data-s3-object-personal.json'),
        'detail.resourcesAffected.s3Bucket.tags',
        [{ key: 'Backup', value: '' }],
      ),
  },
  {
    name: 'CloudTrail API call without sourceIPAddress',
    event: () =>
      set(loadFixture('cloudtrail/api-call-iam-createaccesskey.json'), 'detail.sourceIPAddress', undefined),
  },
  {
    name: 'GuardDuty port probe without localIpDetails',
    event: () =>
      set(loadFixture('guardduty/instance-recon-port-probe-updated.json'), 'detail.service.action', {
        actionType: 'PORT_PROBE',
        portProbeAction: {
          portProbeDetails: [
            {
              localPortDetails: { port: 22, portName: 'SSH' },
              remoteIpDetails: { ipAddressV4: '192.0.2.61' },
            },
            { localPortDetails: { port: 3389 } },
          ],
        },
      }),
  },
  {
    name: 'GuardDuty remote IP details with a country code and no IP',
    event: () =>
      set(
        loadFixture('guardduty/accesskey-tor-ipcaller-with-instance-details.json'),
        'detail.service.action.awsApiCallAction.remoteIpDetails',
        { country: { countryCode: 'NL', countryName: 'Netherlands' }, geoLocation: { lat: 52.4, lon: 4.9 } },
      ),
  },
  {
    name: 'CloudTrail API call without sourceIPAddress, invoked by an AWS service',
    event: () => {
      const event = loadFixture('cloudtrail/api-call-iam-createaccesskey.json');
      set(event, 'detail.userIdentity', { type: 'AWSService', invokedBy: 'backup.amazonaws.com' });
      return set(event, 'detail.sourceIPAddress', undefined);
    },
  },
  {
    name: 'CloudTrail assumed-role call with its session context',
    event: () => loadFixture('cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json'),
  },
  {
    name: 'Console sign-in without sourceIPAddress nor additionalEventData',
    event: () => {
      const event = loadFixture('cloudtrail/console-signin-iam-user-failure.json');
      set(event, 'detail.additionalEventData', undefined);
      return set(event, 'detail.sourceIPAddress', undefined);
    },
  },
  {
    name: 'CloudTrail AWS service caller from "AWS Internal"',
    event: () => {
      const event = loadFixture('cloudtrail/api-call-iam-createaccesskey.json');
      set(event, 'detail.userIdentity', { type: 'AWSService', invokedBy: 'backup.amazonaws.com' });
      return set(event, 'detail.sourceIPAddress', 'AWS Internal');
    },
  },
  {
    name: 'Console sign-in without additionalEventData (no LoginTo)',
    event: () =>
      set(
        loadFixture('cloudtrail/console-signin-iam-user-failure.json'),
        'detail.additionalEventData',
        undefined,
      ),
  },
  {
    name: 'Console sign-in without an outcome',
    event: () =>
      set(loadFixture('cloudtrail/console-signin-iam-user-failure.json'), 'detail.responseElements', null),
  },
  {
    name: 'Config NOT_APPLICABLE',
    event: () =>
      set(
        loadFixture('config/compliance-change-s3-versioning-non-compliant.json'),
        'detail.newEvaluationResult.complianceType',
        'NOT_APPLICABLE',
      ),
  },
  {
    name: 'Access Analyzer analysis error, deleted',
    event: () => {
      const event = loadFixture('access-analyzer/finding-s3-bucket-public.json');
      set(event, 'detail.error', 'ACCESS_DENIED');
      return set(event, 'detail.isDeleted', true);
    },
  },
  {
    name: 'Macie finding without resourcesAffected, archived',
    event: () => {
      const event = loadFixture('macie/finding-sensitive-data-s3-object-personal.json');
      set(event, 'detail.resourcesAffected', null);
      return set(event, 'detail.archived', true);
    },
  },
];

describe.skipIf(!ocsfSchemaAvailable)('OCSF 1.6.0 conformance of every alert', () => {
  it('has fixtures to check', () => {
    // Prepare: the cases were collected above

    // Act
    const names = fixtureCases.map((c) => c.name);

    // Assess
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names).toContain('fixtures/guardduty/instance-backdoor-cc-dns-high.json');
  });

  describe('project fixtures', () => {
    for (const { name, alerts } of fixtureCases) {
      it(name, () => {
        // Prepare: the alerts were produced at collection time

        // Act
        const violations = violationsOf(alerts);

        // Assess
        expect(violations, `${name} does not conform:\n${JSON.stringify(violations, null, 2)}`).toEqual({});
      });
    }
  });

  describe.skipIf(corpusCases.length === 0)('published corpus', () => {
    for (const { name, alerts } of corpusCases) {
      it(name, () => {
        // Prepare: the alerts were produced at collection time

        // Act
        const violations = violationsOf(alerts);

        // Assess
        expect(violations, `${name} does not conform:\n${JSON.stringify(violations, null, 2)}`).toEqual({});
      });
    }
  });

  describe('fixture variants', () => {
    for (const variant of VARIANTS) {
      it(variant.name, () => {
        // Prepare
        const event = variant.event();

        // Act
        const outputs = normalize(event);
        const alerts = outputs.flatMap((output) => ('alert' in output ? [output.alert] : []));
        const violations = violationsOf(alerts);

        // Assess
        expect(alerts, `no alert from ${variant.name}: ${JSON.stringify(outputs)}`).toHaveLength(1);
        expect(
          violations,
          `${variant.name} does not conform:\n${JSON.stringify(violations, null, 2)}`,
        ).toEqual({});
      });
    }
  });
});
