import { describe, expect, it } from 'vitest';
import {
  InvalidConfigError,
  parseConfig,
  SOURCE_IDS,
  type SourceId,
} from '../../../functions/core/config/schema.ts';
import { compileEventPattern } from '../../../functions/core/events/pattern.ts';
import {
  buildRulePatterns,
  SOURCE_CATALOG,
  type SourceRulePattern,
} from '../../../functions/core/sources/catalog.ts';
import { type FixtureEvent, loadFixture } from '../../support/fixtures.ts';

const SEVERITIES = [0, 1, 2, 3, 4, 5] as const;

/** Whether the rule of `id`, at floor `minSeverity`, lets `event` through. */
function routes(id: SourceId, minSeverity: number, event: FixtureEvent): boolean {
  return compileEventPattern(SOURCE_CATALOG[id].pattern(minSeverity)).matches(event);
}

/** The ids of the rules in `rules` that `event` matches. */
function matchingRules(rules: readonly SourceRulePattern[], event: FixtureEvent): SourceId[] {
  return rules.filter((rule) => compileEventPattern(rule.eventPattern).matches(event)).map((rule) => rule.id);
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` as a JSON object, failing the test (naming `where`) when it is not one. */
function object(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new Error(`${where} is not a JSON object`);
  return value;
}

/** `value` as a JSON array, failing the test (naming `where`) when it is not one. */
function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a JSON array`);
  return value;
}

function withDetail(event: FixtureEvent, patch: (detail: JsonObject) => void): FixtureEvent {
  patch(object(event.detail, 'detail'));
  return event;
}

function guardDutyFinding(severity: number): FixtureEvent {
  return withDetail(loadFixture('guardduty/instance-backdoor-cc-dns-high.json'), (detail) => {
    detail.severity = severity;
  });
}

function securityHubFinding(label: string): FixtureEvent {
  const event = loadFixture('securityhub/imported-guardduty-credential-exfiltration.json');
  return withDetail(event, (detail) => {
    const finding = object(array(detail.findings, 'detail.findings')[0], 'detail.findings[0]');
    object(finding.Severity, 'detail.findings[0].Severity').Label = label;
  });
}

/**
 * Asserts the EventBridge shape rules: every field maps to a non-empty array (the leaves) or to
 * a nested object, and `$or` holds objects.
 */
function expectArrayLeaves(pattern: unknown, path = 'pattern'): void {
  expect(typeof pattern === 'object' && pattern !== null && !Array.isArray(pattern), path).toBe(true);
  for (const [key, value] of Object.entries(object(pattern, path))) {
    const where = `${path}.${key}`;
    if (key === '$or') {
      expect(Array.isArray(value) && value.length >= 2, where).toBe(true);
      for (const [i, branch] of array(value, where).entries()) expectArrayLeaves(branch, `${where}[${i}]`);
    } else if (Array.isArray(value)) {
      expect(value.length, where).toBeGreaterThan(0);
      for (const element of value) expect(Array.isArray(element), where).toBe(false);
    } else {
      expectArrayLeaves(value, where);
    }
  }
}

describe('SOURCE_CATALOG', () => {
  it('has one entry per source id, each under its own id', () => {
    // Prepare / Act
    const ids = Object.keys(SOURCE_CATALOG);

    // Assess
    expect(ids.sort()).toEqual([...SOURCE_IDS].sort());
    for (const id of SOURCE_IDS) expect(SOURCE_CATALOG[id].id).toBe(id);
  });

  it('enables every source by default, with the documented severity floors', () => {
    // Prepare / Act
    const defaults = Object.fromEntries(
      SOURCE_IDS.map((id) => [
        id,
        [SOURCE_CATALOG[id].defaultEnabled, SOURCE_CATALOG[id].defaultMinSeverity],
      ]),
    );

    // Assess
    expect(defaults).toEqual({
      guardduty: [true, 3],
      securityhub: [true, 3],
      securityhubCustomAction: [true, 0],
      inspector: [true, 4],
      macie: [true, 3],
      accessAnalyzer: [true, 0],
      config: [true, 0],
      cloudtrail: [true, 0],
      health: [true, 0],
      custom: [false, 0],
    });
  });

  it('ignores minSeverity for the sources without a severity field', () => {
    for (const id of [
      'securityhubCustomAction',
      'accessAnalyzer',
      'config',
      'cloudtrail',
      'health',
    ] as const) {
      // Prepare
      const entry = SOURCE_CATALOG[id];

      // Act
      const patterns = SEVERITIES.map((minSeverity) => entry.pattern(minSeverity));

      // Assess
      expect(entry.severityField, id).toBeUndefined();
      for (const pattern of patterns) expect(pattern, id).toEqual(patterns[0]);
    }
  });

  it('refuses a floor that is not an OCSF severity_id, naming the setting', () => {
    for (const bad of [-1, 6, 2.5, Number.NaN]) {
      // Act / Assess
      expect(() => SOURCE_CATALOG.config.pattern(bad)).toThrow(InvalidConfigError);
      expect(() => SOURCE_CATALOG.guardduty.pattern(bad)).toThrow(/riposte\.sources\.guardduty\.minSeverity/);
    }
  });

  it('produces valid EventBridge JSON with array leaves, within the default 2048-character quota, at every floor', () => {
    for (const id of SOURCE_IDS) {
      for (const minSeverity of SEVERITIES) {
        // Prepare
        if (id === 'macie' && minSeverity === 5) continue; // refused, see the Macie tests

        // Act
        const pattern = SOURCE_CATALOG[id].pattern(minSeverity);
        const json = JSON.stringify(pattern);

        // Assess
        expect(JSON.parse(json), `${id}@${minSeverity}`).toEqual(pattern);
        expectArrayLeaves(pattern, `${id}@${minSeverity}`);
        expect(() => compileEventPattern(json), `${id}@${minSeverity}`).not.toThrow();
        expect(json.length, `${id}@${minSeverity}`).toBeLessThanOrEqual(2048);
      }
    }
  });
});

describe('buildRulePatterns', () => {
  it('returns every source but the opt-in custom one, in SOURCE_IDS order, for the default configuration', () => {
    // Prepare
    const config = parseConfig({});

    // Act
    const rules = buildRulePatterns(config);

    // Assess
    expect(rules.map((rule) => rule.id)).toEqual(SOURCE_IDS.filter((id) => id !== 'custom'));
    for (const rule of rules) {
      expect(rule.description).toBe(SOURCE_CATALOG[rule.id].description);
      expect(rule.eventPattern).toEqual(
        SOURCE_CATALOG[rule.id].pattern(SOURCE_CATALOG[rule.id].defaultMinSeverity),
      );
    }
  });

  it('writes the default floors into the patterns', () => {
    // Prepare / Act
    const byId = new Map(buildRulePatterns(parseConfig({})).map((rule) => [rule.id, rule.eventPattern]));

    // Assess
    expect(byId.get('guardduty')).toEqual({
      source: ['aws.guardduty'],
      $or: [
        { 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 4] }] } },
        { 'detail-type': ['GuardDuty Finding'], detail: { type: ['Policy:IAMUser/RootCredentialUsage'] } },
        {
          'detail-type': ['GuardDuty Malware Protection Object Scan Result'],
          detail: { scanResultDetails: { scanResultStatus: ['THREATS_FOUND', 'THREAT_FOUND'] } },
        },
      ],
    });
    expect(byId.get('securityhub')).toEqual({
      source: ['aws.securityhub'],
      $or: [
        {
          'detail-type': ['Security Hub Findings - Imported'],
          detail: { findings: { Severity: { Label: ['MEDIUM', 'HIGH', 'CRITICAL'] } } },
        },
        { 'detail-type': ['Findings Imported V2'], detail: { findings: { severity_id: [3, 4, 5, 6] } } },
      ],
    });
    expect(byId.get('inspector')).toEqual({
      source: ['aws.inspector2'],
      'detail-type': ['Inspector2 Finding'],
      detail: { severity: ['HIGH', 'CRITICAL'] },
    });
    expect(byId.get('macie')).toEqual({
      source: ['aws.macie'],
      'detail-type': ['Macie Finding'],
      detail: { severity: { description: ['Medium', 'High'] } },
    });
    expect(byId.has('custom')).toBe(false);
  });

  it('deploys the custom source only when enabled, filtered on the configured sending accounts', () => {
    // Prepare
    const config = parseConfig({ sources: { custom: { enabled: true, accounts: ['111122223333'] } } });

    // Act
    const byId = new Map(buildRulePatterns(config).map((rule) => [rule.id, rule.eventPattern]));

    // Assess
    expect(byId.get('custom')).toEqual({ source: ['riposte.custom'], account: ['111122223333'] });
  });

  it('refuses an enabled custom source without accounts, and accounts on any other source', () => {
    // Act / Assess
    expect(() => parseConfig({ sources: { custom: { enabled: true } } })).toThrow(
      /riposte\.sources\.custom\.accounts/,
    );
    expect(() => parseConfig({ sources: { guardduty: { accounts: ['111122223333'] } } })).toThrow(
      /only the custom source takes accounts/,
    );
  });

  it('leaves out a disabled source and keeps the others', () => {
    // Prepare
    const config = parseConfig({
      sources: { inspector: { enabled: false }, cloudtrail: { enabled: false } },
    });

    // Act
    const ids = buildRulePatterns(config).map((rule) => rule.id);

    // Assess
    expect(ids).toEqual(
      SOURCE_IDS.filter((id) => id !== 'inspector' && id !== 'cloudtrail' && id !== 'custom'),
    );
  });

  it('uses a configured floor instead of the default', () => {
    // Prepare
    const config = parseConfig({
      sources: { guardduty: { minSeverity: 5 }, securityhub: { minSeverity: 4 } },
    });

    // Act
    const byId = new Map(buildRulePatterns(config).map((rule) => [rule.id, rule.eventPattern]));

    // Assess
    expect(byId.get('guardduty')).toEqual({
      source: ['aws.guardduty'],
      $or: [
        { 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 9] }] } },
        { 'detail-type': ['GuardDuty Finding'], detail: { type: ['Policy:IAMUser/RootCredentialUsage'] } },
      ],
    });
    expect(byId.get('securityhub')).toMatchObject({
      $or: [
        { detail: { findings: { Severity: { Label: ['HIGH', 'CRITICAL'] } } } },
        { detail: { findings: { severity_id: [4, 5, 6] } } },
      ],
    });
  });

  it('reports a floor a source can never reach as a configuration error', () => {
    // Prepare
    const config = parseConfig({ sources: { macie: { minSeverity: 5 } } });

    // Act / Assess
    expect(() => buildRulePatterns(config)).toThrow(InvalidConfigError);
    expect(() => buildRulePatterns(config)).toThrow(/riposte\.sources\.macie\.minSeverity/);
  });

  it('routes each fixture event to exactly the rules expected under the defaults', () => {
    // Prepare
    const rules = buildRulePatterns(parseConfig({}));
    const expected: Record<string, SourceId[]> = {
      'access-analyzer/finding-s3-bucket-public.json': ['accessAnalyzer'],
      'cloudtrail/api-call-cloudtrail-stoplogging.json': ['cloudtrail'],
      'cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json': ['cloudtrail'],
      'cloudtrail/api-call-iam-createaccesskey.json': ['cloudtrail'],
      'cloudtrail/api-call-s3-putbucketpolicy-access-denied.json': ['cloudtrail'],
      'cloudtrail/console-signin-iam-user-failure.json': ['cloudtrail'],
      'cloudtrail/console-signin-root-success.json': ['cloudtrail'],
      'config/compliance-change-ebs-encrypted-compliant-first-evaluation.json': ['config'],
      'config/compliance-change-s3-versioning-non-compliant.json': ['config'],
      'custom/alert-detection-finding-edr.json': [], // the custom source is opt-in
      'guardduty/accesskey-tor-ipcaller-with-instance-details.json': ['guardduty'], // 5.0: Medium, at the floor
      'guardduty/api-call-archivefindings-via-cloudtrail.json': [], // an ordinary API call
      'guardduty/attack-sequence-iam-compromised-credentials.json': ['guardduty'], // 9: Critical
      'guardduty/attack-sequence-s3-compromised-data.json': ['guardduty'], // 8: High
      'guardduty/accesskey-instance-credential-exfiltration-inside-aws.json': ['guardduty'],
      'guardduty/instance-backdoor-cc-dns-high.json': ['guardduty'],
      'guardduty/instance-metadata-dns-rebind.json': ['guardduty'],
      'guardduty/instance-recon-port-probe-updated.json': [], // 2.0: Low
      'guardduty/instance-ssh-bruteforce-sample.json': [],
      'guardduty/malware-protection-s3-object-no-threats-found.json': [],
      'guardduty/malware-protection-s3-object-threats-found.json': ['guardduty'],
      'guardduty/s3bucket-block-public-access-disabled.json': [],
      'macie/finding-policy-s3-bucket-public-sample.json': ['macie'],
      'macie/finding-sensitive-data-s3-object-personal.json': ['macie'],
      'securityhub/custom-action-three-findings.json': ['securityhubCustomAction'],
      'securityhub/findings-imported-v2-control-s3-public-access.json': ['securityhub'],
      'securityhub/findings-imported-v2-guardduty.json': ['securityhub'],
      'securityhub/findings-imported-v2-partner-claims-aws.json': ['securityhub'], // the normalizer judges the product
      'securityhub/imported-guardduty-attack-sequence-s3.json': ['securityhub'],
      'securityhub/imported-control-s3-public-access-failed.json': ['securityhub'],
      'securityhub/imported-guardduty-credential-exfiltration.json': ['securityhub'],
      'securityhub/imported-inspector-ec2-cve.json': ['securityhub'],
      'securityhub/imported-macie-sensitive-data.json': ['securityhub'],
      'securityhub/insight-results.json': [],
      'securityhub/native-guardduty-credential-exfiltration.json': ['guardduty'],
    };

    for (const [fixture, ids] of Object.entries(expected)) {
      // Act
      const matched = matchingRules(rules, loadFixture(fixture));

      // Assess
      expect(matched, fixture).toEqual(ids);
    }
  });
});

describe('GuardDuty severity bands', () => {
  it('puts the High floor between 6.9 and 7.0', () => {
    // Act / Assess
    expect(routes('guardduty', 4, guardDutyFinding(6.9))).toBe(false);
    expect(routes('guardduty', 4, guardDutyFinding(7.0))).toBe(true);
    expect(routes('guardduty', 4, guardDutyFinding(8.9))).toBe(true);
  });

  it('puts the Medium floor between 3.9 and 4.0, and the Critical floor between 8.9 and 9.0', () => {
    // Act / Assess
    expect(routes('guardduty', 3, guardDutyFinding(3.9))).toBe(false);
    expect(routes('guardduty', 3, guardDutyFinding(4.0))).toBe(true);
    expect(routes('guardduty', 5, guardDutyFinding(8.9))).toBe(false);
    expect(routes('guardduty', 5, guardDutyFinding(9.0))).toBe(true);
  });

  it('filters nothing at a floor of Low or below: every GuardDuty finding is at least Low', () => {
    for (const minSeverity of [0, 1, 2]) {
      // Act
      const pattern = SOURCE_CATALOG.guardduty.pattern(minSeverity);

      // Assess
      expect(JSON.stringify(pattern)).not.toContain('numeric');
      expect(routes('guardduty', minSeverity, guardDutyFinding(1.0))).toBe(true);
    }
  });

  it('routes malware scans that found a threat, under either spelling, while the floor is High or lower', () => {
    // Prepare
    const found = loadFixture('guardduty/malware-protection-s3-object-threats-found.json');
    const legacySpelling = withDetail(
      loadFixture('guardduty/malware-protection-s3-object-threats-found.json'),
      (d) => {
        d.scanResultDetails = { scanResultStatus: 'THREAT_FOUND', threats: [{ name: 'EICAR' }] };
      },
    );
    const clean = loadFixture('guardduty/malware-protection-s3-object-no-threats-found.json');

    // Act / Assess
    expect(routes('guardduty', 4, found)).toBe(true);
    expect(routes('guardduty', 4, legacySpelling)).toBe(true);
    expect(routes('guardduty', 0, clean)).toBe(false);
    expect(routes('guardduty', 5, found)).toBe(false); // Riposte rates a found threat High
  });
});

describe('label-scaled sources', () => {
  it('Security Hub keeps the labels at or above the floor', () => {
    // Prepare
    const labels = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

    for (const minSeverity of SEVERITIES) {
      // Act
      const routed = labels.filter((label) => routes('securityhub', minSeverity, securityHubFinding(label)));

      // Assess
      expect(routed, `floor ${minSeverity}`).toEqual(labels.slice(Math.max(0, minSeverity - 1)));
    }
  });

  it('Security Hub OCSF findings (Findings Imported V2) keep the severity_id at or above the floor', () => {
    // Prepare
    const ids = [0, 1, 2, 3, 4, 5, 6, 99];
    const finding = (severityId: number): FixtureEvent =>
      withDetail(loadFixture('securityhub/findings-imported-v2-guardduty.json'), (detail) => {
        object(array(detail.findings, 'detail.findings')[0], 'detail.findings[0]').severity_id = severityId;
      });

    for (const minSeverity of SEVERITIES) {
      // Act
      const routed = ids.filter((id) => routes('securityhub', minSeverity, finding(id)));

      // Assess: no floor at 0 and 1 (as for ASFF labels), else the ids from the floor to Fatal
      const expected = minSeverity <= 1 ? ids : ids.filter((id) => id >= minSeverity && id <= 6);
      expect(routed, `floor ${minSeverity}`).toEqual(expected);
    }
  });

  it('Security Hub keeps its ASFF floor on ASFF findings and its OCSF floor on OCSF findings', () => {
    // Prepare: each format carrying the other's severity field at a passing value
    const asff = securityHubFinding('LOW');
    withDetail(asff, (detail) => {
      object(array(detail.findings, 'detail.findings')[0], 'detail.findings[0]').severity_id = 5;
    });
    const ocsf = withDetail(loadFixture('securityhub/findings-imported-v2-guardduty.json'), (detail) => {
      const finding = object(array(detail.findings, 'detail.findings')[0], 'detail.findings[0]');
      finding.severity_id = 2;
      finding.Severity = { Label: 'CRITICAL' };
    });

    // Act / Assess
    expect(routes('securityhub', 4, asff)).toBe(false);
    expect(routes('securityhub', 4, ocsf)).toBe(false);
  });

  it('Security Hub routes a batch when one of its findings reaches the floor', () => {
    // Prepare
    const event = securityHubFinding('LOW');
    withDetail(event, (detail) => {
      const findings = array(detail.findings, 'detail.findings');
      findings.push({ ...object(findings[0], 'detail.findings[0]'), Severity: { Label: 'HIGH' } });
    });

    // Act / Assess
    expect(routes('securityhub', 4, event)).toBe(true);
  });

  it('Inspector counts UNTRIAGED as Unknown', () => {
    // Prepare
    const finding = (severity: string): FixtureEvent => ({
      source: 'aws.inspector2',
      'detail-type': 'Inspector2 Finding',
      detail: { severity },
    });

    // Act / Assess
    expect(routes('inspector', 0, finding('UNTRIAGED'))).toBe(true);
    expect(routes('inspector', 1, finding('UNTRIAGED'))).toBe(false);
    expect(routes('inspector', 1, finding('INFORMATIONAL'))).toBe(true);
    expect(routes('inspector', 4, finding('MEDIUM'))).toBe(false);
    expect(routes('inspector', 4, finding('HIGH'))).toBe(true);
  });

  it('Macie maps Low, Medium and High, and refuses a Critical floor', () => {
    // Prepare
    const finding = (description: string): FixtureEvent =>
      withDetail(loadFixture('macie/finding-sensitive-data-s3-object-personal.json'), (detail) => {
        detail.severity = { score: 2, description };
      });

    // Act / Assess
    expect(routes('macie', 2, finding('Low'))).toBe(true);
    expect(routes('macie', 3, finding('Low'))).toBe(false);
    expect(routes('macie', 3, finding('Medium'))).toBe(true);
    expect(routes('macie', 4, finding('Medium'))).toBe(false);
    expect(routes('macie', 4, finding('High'))).toBe(true);
    expect(() => SOURCE_CATALOG.macie.pattern(5)).toThrow(/highest severity this source emits \(4\)/);
  });

  it('custom alerts are filtered on detail.ocsf.severity_id only above a floor of 0', () => {
    // Prepare
    const alert = (severityId: number): FixtureEvent =>
      withDetail(loadFixture('custom/alert-detection-finding-edr.json'), (detail) => {
        object(detail.ocsf, 'detail.ocsf').severity_id = severityId;
      });
    const malformed: FixtureEvent = { source: 'riposte.custom', 'detail-type': 'Alert', detail: {} };

    // Act / Assess
    expect(routes('custom', 0, malformed)).toBe(true); // reaches the normalizer, which records it as rejected
    expect(routes('custom', 4, alert(3))).toBe(false);
    expect(routes('custom', 4, alert(4))).toBe(true);
    expect(routes('custom', 4, alert(5))).toBe(true);
  });
});

describe('CloudTrail high-signal events', () => {
  const signIn = (type: string, outcome: string): FixtureEvent =>
    withDetail(loadFixture('cloudtrail/console-signin-iam-user-failure.json'), (detail) => {
      object(detail.userIdentity, 'detail.userIdentity').type = type;
      detail.responseElements = { ConsoleLogin: outcome };
    });
  const apiCall = (eventSource: string, eventName: string, type = 'AssumedRole'): FixtureEvent =>
    withDetail(loadFixture('cloudtrail/api-call-iam-createaccesskey.json'), (detail) => {
      detail.eventSource = eventSource;
      detail.eventName = eventName;
      object(detail.userIdentity, 'detail.userIdentity').type = type;
    });

  it('routes failed sign-ins and root sign-ins, not ordinary successful ones', () => {
    // Act / Assess
    expect(routes('cloudtrail', 0, signIn('IAMUser', 'Failure'))).toBe(true);
    expect(routes('cloudtrail', 0, signIn('Root', 'Success'))).toBe(true);
    expect(routes('cloudtrail', 0, signIn('IAMUser', 'Success'))).toBe(false);
  });

  it('routes the listed API calls and any root call, not other calls', () => {
    // Prepare
    const listed: [string, string][] = [
      ['cloudtrail.amazonaws.com', 'StopLogging'],
      ['cloudtrail.amazonaws.com', 'DeleteTrail'],
      ['cloudtrail.amazonaws.com', 'UpdateTrail'],
      ['cloudtrail.amazonaws.com', 'PutEventSelectors'],
      ['iam.amazonaws.com', 'CreateAccessKey'],
      ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
      ['ec2.amazonaws.com', 'ModifySecurityGroupRules'],
      ['s3.amazonaws.com', 'PutBucketPolicy'],
      ['s3.amazonaws.com', 'PutBucketAcl'],
      ['s3.amazonaws.com', 'DeleteBucketPublicAccessBlock'],
      ['s3.amazonaws.com', 'PutBucketPublicAccessBlock'],
    ];

    // Act / Assess
    for (const [source, name] of listed)
      expect(routes('cloudtrail', 0, apiCall(source, name)), name).toBe(true);
    expect(routes('cloudtrail', 0, apiCall('s3.amazonaws.com', 'CreateBucket'))).toBe(false);
    expect(routes('cloudtrail', 0, apiCall('iam.amazonaws.com', 'StopLogging'))).toBe(false);
    expect(routes('cloudtrail', 0, apiCall('s3.amazonaws.com', 'CreateBucket', 'Root'))).toBe(true);
  });
});
