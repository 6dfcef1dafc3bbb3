import { describe, expect, it } from 'vitest';
import {
  type AssessActorInput,
  assessActorAction,
} from '../../../../functions/core/actions/iam/assess-actor.ts';
import { LocalWorld } from '../../../../functions/core/actions/world/index.ts';
import { actionEnv } from '../../../support/action-env.ts';

const env = () => actionEnv({ mode: { kind: 'world', world: LocalWorld.fromFile('examples/world.json') } });

const role = (name: string, extra: Partial<AssessActorInput> = {}): AssessActorInput => ({
  type: 'AssumedRole',
  name,
  arn: `arn:aws:iam::111122223333:role/${name}`,
  account: '111122223333',
  invokedBy: '',
  ...extra,
});
const user = (name: string): AssessActorInput => ({
  ...role(name),
  type: 'IAMUser',
  arn: `arn:aws:iam::111122223333:user/${name}`,
});

describe('assess-actor', () => {
  it.each([
    ['an assumed role of the account', role('ci-deployer'), 'role'],
    ['an IAM user of the account', user('payments-deployer'), 'user'],
  ])('lets %s be contained', async (_label, input, kind) => {
    // Act
    const output = await assessActorAction.run(input, env());

    // Assess
    expect(output).toEqual({ kind, name: input.name, containable: true, reason: '' });
  });

  it.each([
    [
      'a call an AWS service made',
      role('ci-deployer', { invokedBy: 'cloudformation.amazonaws.com' }),
      /cloudformation/,
    ],
    ['an AWS service', { ...role(''), type: 'AWSService' }, /AWS service/],
    ['the root user', { ...role('root'), type: 'Root' }, /root/],
    ['a federated user', { ...role('carol'), type: 'FederatedUser' }, /FederatedUser/],
    ['a principal of another account', role('ci-deployer', { account: '444455556666' }), /444455556666/],
    ['Riposte’s action role', role('Riposte-Action-Contain-eu-west-1'), /Riposte's own/],
    ['Riposte’s member role', role('RiposteMemberResponse'), /Riposte's own/],
    ['a service-linked role', role('AWSServiceRoleForElasticLoadBalancing'), /service-linked/],
    ['a protected user', user('break-glass-admin'), /protected/],
    ['a principal that no longer exists', user('mallory-gone'), /no longer exists/],
  ])('never contains %s', async (_label, input, reason) => {
    // Prepare
    const e = env();

    // Act
    const output = await assessActorAction.run(input, e);

    // Assess
    expect(output.containable).toBe(false);
    expect(output.reason).toMatch(reason);
    expect(e.recorder.mutations).toEqual([]);
  });
});
