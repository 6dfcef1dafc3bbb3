import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../functions/core/alert.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import { explainTrigger, matchesTrigger, type Trigger } from '../../../functions/core/playbooks/trigger.ts';
import { guardDutyInstanceFinding } from '../../support/events.ts';

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
