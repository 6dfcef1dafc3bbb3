import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertSchema, type NormalizeOutput, REJECTION_REASONS } from '../../../functions/core/alert.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import { CORPUS_DIR, corpusFiles } from '../../support/fixtures.ts';

/**
 * The published real events in ../shared/corpus/events (described in its SOURCES.md), read
 * from there and never copied into the repository.
 */
const files = corpusFiles();

function outputsOf(relative: string): NormalizeOutput[] {
  return normalize(readFileSync(path.join(CORPUS_DIR, relative)));
}

interface Expected {
  /** The class of the one alert, or the reason of the one rejection. */
  readonly classUid?: number;
  readonly rejected?: string;
  readonly sample?: boolean;
  readonly account?: string;
  readonly severityId?: number;
  readonly activityId?: number;
  readonly resourceType?: string;
}

/** What each GuardDuty, CloudTrail, Config and Access Analyzer file must become. */
const EXPECTED: Readonly<Record<string, Expected>> = {
  'guardduty/c7n-backdoor-cc-activity-dns-instance.json': {
    classUid: 2004,
    sample: true,
    account: '883606788610',
    severityId: 3,
    activityId: 1,
    resourceType: 'AWS::EC2::Instance',
  },
  'guardduty/c7n-tor-ipcaller-accesskey.json': {
    classUid: 2004,
    sample: true,
    account: '883606788610',
    severityId: 3,
    resourceType: 'AWS::IAM::AccessKey',
  },
  'guardduty/waf-acl-sshbruteforce-partial-envelope.json': { rejected: 'missing_envelope_field' },
  'guardduty/recon-maliciousipcaller-custom-accesskey.json': {
    classUid: 2004,
    sample: true,
    account: '123456789012',
    activityId: 3, // service.archived: true
    resourceType: 'AWS::IAM::AccessKey', // although the sample also carries instanceDetails
  },
  'guardduty/pentest-s3-parrotlinux-s3bucket.json': {
    classUid: 2004,
    sample: true,
    resourceType: 'AWS::S3::Bucket',
  },
  'guardduty/canary-ec2-integtest-epoch-launchtime.json': {
    classUid: 2004,
    sample: false,
    severityId: 3,
    resourceType: 'AWS::EC2::Instance',
  },
  'guardduty/malware-protection-s3-object-scan-threat-found.json': {
    classUid: 2004,
    sample: false,
    severityId: 4,
    resourceType: 'AWS::S3::Object',
  },
  'guardduty/cloudtrail-createsamplefindings-source-guardduty.json': { classUid: 6003, sample: false },
  'cloudtrail/console-signin-root-success-docs-no-version.json': {
    classUid: 3002,
    severityId: 4,
    account: '123456789012',
  },
  'cloudtrail/console-signin-iam-user-failure.json': {
    classUid: 3002,
    severityId: 2,
    account: '111122223333',
  },
  'cloudtrail/api-call-s3-createbucket-root-docs.json': { classUid: 6003, severityId: 4, activityId: 1 },
  'cloudtrail/api-call-cloudtrail-stoplogging.json': { classUid: 6003, severityId: 4, activityId: 3 },
  'cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json': {
    classUid: 6003,
    severityId: 4,
    activityId: 1,
  },
  'cloudtrail/api-call-ec2-aws-internal-source-ip.json': { classUid: 6003, severityId: 1, activityId: 4 },
  'config/rules-compliance-change-non-compliant.json': {
    classUid: 2003,
    severityId: 3,
    activityId: 2,
    account: '746869318262',
  },
  'config/rules-compliance-change-compliant-no-old-result.json': {
    classUid: 2003,
    severityId: 1,
    activityId: 1,
  },
  'access-analyzer/finding-s3-cross-account-docs.json': {
    classUid: 2004,
    severityId: 3,
    account: '111122223333',
  },
  'access-analyzer/finding-error-access-denied-docs.json': { classUid: 2004, severityId: 1 },
  'securityhub/insight-results-docs.json': { rejected: 'not_a_finding' },
};

describe.skipIf(files.length === 0)('the published corpus', () => {
  describe('every file yields outputs that keep the contract', () => {
    for (const file of files) {
      const relative = path.relative(CORPUS_DIR, file);
      it(relative, () => {
        // Prepare: the file is read as bytes, as the CLI and the ingest Lambda receive it
        const bytes = readFileSync(file);

        // Act
        const outputs = normalize(bytes);

        // Assess
        expect(outputs.length).toBeGreaterThanOrEqual(1);
        for (const output of outputs) {
          if ('alert' in output) {
            const parsed = AlertSchema.safeParse(output.alert);
            expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
          } else {
            expect(REJECTION_REASONS).toContain(output.rejected.reason);
            expect(output.rejected.message).not.toBe('');
          }
        }
      });
    }
  });

  describe('expected result per file', () => {
    it('names only files that exist', () => {
      // Prepare
      const present = new Set(files.map((file) => path.relative(CORPUS_DIR, file)));

      // Act
      const missing = Object.keys(EXPECTED).filter((name) => !present.has(name));

      // Assess
      expect(missing).toEqual([]);
    });

    for (const [relative, expected] of Object.entries(EXPECTED)) {
      const label =
        expected.rejected === undefined ? `class ${expected.classUid}` : `rejected ${expected.rejected}`;
      it(`${relative} → ${label}`, () => {
        // Prepare: the expectation above

        // Act
        const outputs = outputsOf(relative);

        // Assess
        expect(outputs).toHaveLength(1);
        const [output] = outputs;
        if (expected.rejected !== undefined) {
          expect(output).toEqual({ rejected: { reason: expected.rejected, message: expect.any(String) } });
          return;
        }
        if (output === undefined || !('alert' in output))
          throw new Error(`expected an alert, got ${JSON.stringify(output)}`);
        const { alert } = output;
        expect(alert.ocsf.class_uid).toBe(expected.classUid);
        if (expected.sample !== undefined) expect(alert.sample).toBe(expected.sample);
        if (expected.account !== undefined) expect(alert.ocsf.cloud.account?.uid).toBe(expected.account);
        if (expected.severityId !== undefined) expect(alert.ocsf.severity_id).toBe(expected.severityId);
        if (expected.activityId !== undefined) expect(alert.ocsf.activity_id).toBe(expected.activityId);
        if (expected.resourceType !== undefined)
          expect(alert.ocsf.resources?.[0]?.type).toBe(expected.resourceType);
      });
    }
  });

  describe('quirks the corpus documents', () => {
    it('takes the c7n account from the finding (883606788610), not the envelope (101010101111)', () => {
      // Prepare
      const names = [
        'guardduty/c7n-backdoor-cc-activity-dns-instance.json',
        'guardduty/c7n-tor-ipcaller-accesskey.json',
      ];

      // Act
      const accounts = names.map((name) => {
        const [output] = outputsOf(name);
        return output !== undefined && 'alert' in output ? output.alert.ocsf.cloud.account?.uid : undefined;
      });

      // Assess
      const envelope: unknown = JSON.parse(readFileSync(path.join(CORPUS_DIR, names[0] ?? ''), 'utf8'));
      expect(accounts).toEqual(['883606788610', '883606788610']);
      expect(envelope).toHaveProperty('account', '101010101111');
    });

    it('puts non-IP sourceIPAddress values in src_endpoint.domain', () => {
      // Prepare
      const names = [
        'cloudtrail/api-call-ec2-aws-internal-source-ip.json',
        'cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json',
      ];

      // Act
      const endpoints = names.map((name) => {
        const [output] = outputsOf(name);
        return output !== undefined && 'alert' in output ? output.alert.ocsf.src_endpoint : undefined;
      });

      // Assess
      expect(endpoints).toEqual([{ domain: 'AWS Internal' }, { domain: '00.000.000.000' }]);
    });

    it('reads the epoch-millisecond launchTime of the canary finding', () => {
      // Prepare
      const name = 'guardduty/canary-ec2-integtest-epoch-launchtime.json';

      // Act
      const [output] = outputsOf(name);

      // Assess
      expect(output).toMatchObject({
        alert: { ocsf: { resources: [{ data: { launch_time: 1492735675000 } }] } },
      });
    });

    it('keeps the envelope time of 1970 as logged_time 0 and uses the finding time as the event time', () => {
      // Prepare
      const name = 'guardduty/c7n-backdoor-cc-activity-dns-instance.json';

      // Act
      const [output] = outputsOf(name);

      // Assess
      expect(output).toMatchObject({
        alert: { ocsf: { time: Date.parse('2017-12-08T15:32:49.865Z'), metadata: { logged_time: 0 } } },
      });
    });
  });
});
