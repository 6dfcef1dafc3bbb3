import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../functions/core/alert.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import {
  explainTrigger,
  matchesTrigger,
  type Trigger,
  TriggerSchema,
} from '../../../functions/core/playbooks/trigger.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';
import { loadFixture } from '../../support/fixtures.ts';

function alertOf(event: unknown): Alert {
  const [output] = normalize(event);
  if (output === undefined || !('alert' in output)) throw new Error('the event is not an alert');
  return output.alert;
}

/** GuardDuty severity 5 is Medium (OCSF 3). */
const MEDIUM_CRYPTO = alertOf(
  guardDutyInstanceFinding({ type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', severity: 5 }),
);

describe('explainTrigger', () => {
  it('is empty exactly when the trigger matches', () => {
    // Prepare
    const trigger: Trigger = {
      sources: ['aws.guardduty'],
      findingTypes: ['CryptoCurrency:EC2/*'],
      minSeverity: 3,
    };

    // Act & Assess
    expect(explainTrigger(trigger, MEDIUM_CRYPTO)).toEqual([]);
    expect(matchesTrigger(trigger, MEDIUM_CRYPTO)).toBe(true);
  });

  it.each<[string, Trigger, string]>([
    ['source', { sources: ['aws.securityhub'] }, 'source aws.guardduty is not one of aws.securityhub'],
    ['class', { classUids: [2003] }, 'OCSF class 2004 is not one of 2003'],
    ['severity', { minSeverity: 4 }, 'severity Medium (3) is below the minimum High (4)'],
    [
      'finding type',
      { findingTypes: ['Backdoor:EC2/*'] },
      'finding type CryptoCurrency:EC2/BitcoinTool.B!DNS matches none of Backdoor:EC2/*',
    ],
    [
      'resource type',
      { resourceTypes: ['AWS::S3::Bucket'] },
      'resource type AWS::EC2::Instance is not one of AWS::S3::Bucket',
    ],
    ['control', { controls: ['S3.*'] }, 'control (none) matches none of S3.*'],
    ['account', { accounts: { deny: ['111122223333'] } }, 'account 111122223333 is not allowed'],
    ['region', { regions: { allow: ['us-east-1'] } }, 'region eu-west-1 is not allowed'],
  ])('names the %s clause that failed', (clause, trigger, reason) => {
    // Act
    const mismatches = explainTrigger(trigger, MEDIUM_CRYPTO);

    // Assess
    expect(mismatches).toEqual([{ clause, reason }]);
    expect(matchesTrigger(trigger, MEDIUM_CRYPTO)).toBe(false);
  });

  it('gives one reason per anyOf entry, and none once one entry matches', () => {
    // Prepare
    const failing: Trigger = { anyOf: [{ sources: ['aws.securityhub'] }, { minSeverity: 5 }] };

    // Act & Assess
    expect(explainTrigger(failing, MEDIUM_CRYPTO).map((m) => m.clause)).toEqual(['source', 'severity']);
    expect(explainTrigger({ anyOf: [...failing.anyOf, { minSeverity: 1 }] }, MEDIUM_CRYPTO)).toEqual([]);
  });

  it('says a manual trigger never matches an alert', () => {
    expect(explainTrigger({ manual: true }, MEDIUM_CRYPTO).map((m) => m.clause)).toEqual(['manual']);
  });
});

describe('apiCalls and labels', () => {
  const KMS_SCHEDULE = alertOf(loadFixture('cloudtrail/api-call-kms-schedulekeydeletion.json'));

  it('matches a CloudTrail call by service and operation, with wildcards', () => {
    // Act & Assess
    expect(
      matchesTrigger({ sources: ['aws.kms'], apiCalls: ['kms:ScheduleKeyDeletion'] }, KMS_SCHEDULE),
    ).toBe(true);
    expect(matchesTrigger({ apiCalls: ['kms:*'] }, KMS_SCHEDULE)).toBe(true);
    expect(explainTrigger({ apiCalls: ['kms:DisableKey'] }, KMS_SCHEDULE)).toEqual([
      { clause: 'api call', reason: 'API call kms:ScheduleKeyDeletion matches none of kms:DisableKey' },
    ]);
  });

  it('never matches an alert that records no API call', () => {
    // Act & Assess
    expect(explainTrigger({ apiCalls: ['*:*'] }, MEDIUM_CRYPTO)).toEqual([
      { clause: 'api call', reason: 'API call (none) matches none of *:*' },
    ]);
  });

  it('selects the signal the normalizer rated the call with', () => {
    // Act & Assess
    expect(matchesTrigger({ labels: ['signal:kms-key-disabled'] }, KMS_SCHEDULE)).toBe(true);
    expect(explainTrigger({ labels: ['signal:root-*'] }, KMS_SCHEDULE)).toEqual([
      { clause: 'label', reason: 'signal signal:kms-key-disabled matches none of signal:root-*' },
    ]);
  });

  it('ignores signal labels a producer wrote into OCSF it sends as is', () => {
    // Prepare: a custom finding that claims Riposte's root sign-in signal
    const event = loadFixture('custom/alert-detection-finding-edr.json');
    const ocsf = (event.detail as { ocsf: { metadata: Record<string, unknown> } }).ocsf;
    ocsf.metadata.labels = ['signal:root-sign-in', ' SIGNAL:world-open-ingress', 'pci'];
    const forged = alertOf(event);

    // Act & Assess
    expect(forged.ocsf.metadata.labels).toEqual(['pci']);
    expect(matchesTrigger({ sources: ['riposte.custom'], labels: ['signal:*'] }, forged)).toBe(false);
  });

  it('refuses a label outside the reserved signal prefix', () => {
    // Act & Assess
    expect(TriggerSchema.safeParse({ labels: ['sample'] }).success).toBe(false);
    expect(TriggerSchema.safeParse({ apiCalls: ['ScheduleKeyDeletion'] }).success).toBe(false);
  });
});
