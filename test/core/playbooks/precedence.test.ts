import { describe, expect, it } from 'vitest';
import { enrichInstanceAction } from '../../../functions/core/actions/ec2/enrich-instance.ts';
import { isolateInstanceAction } from '../../../functions/core/actions/ec2/isolate-instance.ts';
import type { Alert } from '../../../functions/core/alert.ts';
import type { PlaybookRoute } from '../../../functions/core/intake/dispatch.ts';
import { normalize } from '../../../functions/core/normalize/index.ts';
import {
  changesResources,
  commonFinding,
  patternsIntersect,
  precedenceProblems,
  selectPlaybooks,
} from '../../../functions/core/playbooks/precedence.ts';
import { definePlaybook, type PlaybookDefinition } from '../../../functions/core/playbooks/sdk.ts';
import ec2Compromise from '../../../playbooks/ec2-instance-compromise.ts';
import { guardDutyAccessKeyFinding, guardDutyInstanceFinding } from '../../support/events.ts';

function alertOf(event: unknown): Alert {
  const [output] = normalize(event);
  if (output === undefined || !('alert' in output)) throw new Error('the event is not an alert');
  return output.alert;
}

const META = {
  version: '1.0.0',
  title: 'Test',
  description: 'A test playbook.',
  owner: 'test',
  changelog: { '1.0.0': 'First.' },
} as const;

/** A playbook isolating instances on crypto-mining findings, like the README's tutorial. */
function cryptoMining(extra: Partial<PlaybookDefinition> = {}) {
  return definePlaybook({
    ...META,
    id: 'dev-crypto-mining',
    trigger: {
      sources: ['aws.guardduty'],
      findingTypes: ['CryptoCurrency:EC2/*'],
      resourceTypes: ['AWS::EC2::Instance'],
    },
    steps: (flow) =>
      flow.run('isolate', isolateInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') })),
    ...extra,
  });
}

const CRYPTO = alertOf(
  guardDutyInstanceFinding({ type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', severity: 8 }),
);
const BACKDOOR = alertOf(guardDutyInstanceFinding({ type: 'Backdoor:EC2/C&CActivity.B!DNS', severity: 8 }));

function route(id: string, trigger: PlaybookRoute['trigger'], supersedes?: string[]): PlaybookRoute {
  return { id, version: '1.0.0', target: id, trigger, ...(supersedes === undefined ? {} : { supersedes }) };
}

describe('selectPlaybooks', () => {
  it('starts every matching playbook when none supersedes another', () => {
    // Prepare
    const routes = [
      route('a', { sources: ['aws.guardduty'] }),
      route('b', { minSeverity: 4 }),
      route('c', { manual: true }),
    ];

    // Act
    const selected = selectPlaybooks(routes, CRYPTO);

    // Assess
    expect(selected.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('drops a matching playbook that a matching playbook supersedes, and only then', () => {
    // Prepare
    const routes = [
      route('ec2-instance-compromise', ec2Compromise.trigger),
      route('dev-crypto-mining', { findingTypes: ['CryptoCurrency:EC2/*'] }, ['ec2-instance-compromise']),
    ];

    // Act
    const onCrypto = selectPlaybooks(routes, CRYPTO);
    const onBackdoor = selectPlaybooks(routes, BACKDOOR);

    // Assess
    expect(onCrypto.map((r) => r.id)).toEqual(['dev-crypto-mining']);
    expect(onBackdoor.map((r) => r.id)).toEqual(['ec2-instance-compromise']);
  });
});

describe('patternsIntersect', () => {
  it.each([
    ['CryptoCurrency:EC2/*', 'CryptoCurrency:EC2/BitcoinTool.B!DNS', true],
    ['CryptoCurrency:EC2/*', '*CryptoCurrency:EC2*', true],
    ['Backdoor:EC2/*', 'CryptoCurrency:EC2/*', false],
    ['*:EC2/*', '*IAMUser*', true],
    ['S3.2', 'S3.8', false],
    ['a*c', 'ab*', true],
    ['a*c', 'b*', false],
    ['', '*', true],
    ['', 'a', false],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(patternsIntersect(a, b)).toBe(expected);
    expect(patternsIntersect(b, a)).toBe(expected);
  });
});

describe('commonFinding', () => {
  it('describes a finding both triggers admit', () => {
    expect(commonFinding(ec2Compromise.trigger, cryptoMining().trigger)).toBe(
      'aws.guardduty, CryptoCurrency:EC2/*, severity ≥ 4, AWS::EC2::Instance',
    );
  });

  it('finds none when a clause admits no common value', () => {
    expect(commonFinding({ sources: ['aws.guardduty'] }, { sources: ['aws.securityhub'] })).toBeUndefined();
    expect(
      commonFinding({ resourceTypes: ['AWS::S3::Bucket'] }, { resourceTypes: ['AWS::EC2::Instance'] }),
    ).toBeUndefined();
    expect(commonFinding({ accounts: { allow: ['1'] } }, { accounts: { deny: ['1'] } })).toBeUndefined();
    expect(commonFinding({ manual: true }, {})).toBeUndefined();
  });
});

describe('precedenceProblems', () => {
  it('refuses two playbooks that can change the resource of one finding', () => {
    // Act
    const problems = precedenceProblems([ec2Compromise, cryptoMining()]);

    // Assess
    expect(problems.map((p) => p.message)).toEqual([
      "ec2-instance-compromise and dev-crypto-mining can both change the resource of one finding (aws.guardduty, CryptoCurrency:EC2/*, severity ≥ 4, AWS::EC2::Instance): add supersedes: ['dev-crypto-mining'] to ec2-instance-compromise, or supersedes: ['ec2-instance-compromise'] to dev-crypto-mining, to say which one runs",
    ]);
  });

  it('accepts the pair once one supersedes the other', () => {
    expect(
      precedenceProblems([ec2Compromise, cryptoMining({ supersedes: ['ec2-instance-compromise'] })]),
    ).toEqual([]);
  });

  it('accepts overlapping triggers when one playbook changes nothing', () => {
    // Prepare
    const reportOnly = cryptoMining({
      steps: (flow) =>
        flow
          .run('instance', enrichInstanceAction, ($) => ({ instanceId: $('incident.resourceUid') }))
          .notify('tell', { subject: 'Crypto-mining' }),
    });

    // Act & Assess
    expect(changesResources(reportOnly)).toBe(false);
    expect(changesResources(ec2Compromise)).toBe(true);
    expect(precedenceProblems([ec2Compromise, reportOnly])).toEqual([]);
  });

  it('refuses a supersedes naming no playbook, and two playbooks superseding each other', () => {
    // Prepare
    const circular = definePlaybook({
      ...META,
      id: 'other',
      trigger: {},
      supersedes: ['dev-crypto-mining'],
      steps: (flow) => flow.run('isolate', isolateInstanceAction, () => ({ instanceId: 'i-1' })),
    });

    // Act
    const problems = precedenceProblems([cryptoMining({ supersedes: ['other', 'ghost'] }), circular]);

    // Assess
    expect(problems.map((p) => p.message)).toEqual([
      'dev-crypto-mining supersedes "ghost", which is not a playbook',
      'dev-crypto-mining and other supersede each other: keep the supersedes on the one that should run',
    ]);
  });

  it('starts no EC2 playbook for an access-key finding', () => {
    expect(
      selectPlaybooks([route('x', ec2Compromise.trigger)], alertOf(guardDutyAccessKeyFinding())),
    ).toEqual([]);
  });
});
