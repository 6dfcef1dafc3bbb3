import { describe, expect, it } from 'vitest';
import { enrichInstanceAction } from '../../../../functions/core/actions/ec2/enrich-instance.ts';
import {
  ALLOCATION,
  ASG,
  ENI_1,
  ENI_2,
  INSTANCE,
  PROFILE_ARN,
  PROTECTED,
  ROLE,
  SG_API,
  SG_DB,
  TG,
  VOL_1,
  VOL_2,
  VPC,
  worldSetup,
} from './support.ts';

describe('enrich-instance', () => {
  it('describes the payments instance from the world', async () => {
    // Prepare
    const { env } = worldSetup();

    // Act
    const output = await enrichInstanceAction.run({ instanceId: INSTANCE }, env);

    // Assess
    expect(output).toMatchObject({
      instanceId: INSTANCE,
      instanceType: 'm5.large',
      state: 'running',
      vpcId: VPC,
      subnetId: 'subnet-0a1b2c3d4e5f60001',
      launchTime: '2025-05-01T08:00:00.000Z',
      account: '111122223333',
      region: 'eu-west-1',
      owner: 'payments-team',
      environment: 'production',
      protected: false,
      disableApiTermination: false,
      shutdownBehavior: 'stop',
      networkInterfaces: [
        {
          networkInterfaceId: ENI_1,
          deviceIndex: 0,
          groups: [{ groupId: SG_API, groupName: 'payments-api-sg' }],
          publicIps: ['203.0.113.10'],
        },
        { networkInterfaceId: ENI_2, deviceIndex: 1, groups: [{ groupId: SG_DB }, { groupId: SG_API }] },
      ],
      elasticIps: [{ allocationId: ALLOCATION, publicIp: '203.0.113.10', networkInterfaceId: ENI_1 }],
      instanceProfile: {
        arn: PROFILE_ARN,
        name: 'payments-app-profile',
        roleName: ROLE,
        roleArn: `arn:aws:iam::111122223333:role/${ROLE}`,
      },
      autoScalingGroup: {
        groupName: ASG,
        lifecycleState: 'InService',
        minSize: 1,
        maxSize: 4,
        desiredCapacity: 2,
      },
      targetGroups: [{ targetGroupArn: TG, targetType: 'instance', targets: [{ id: INSTANCE, port: 8080 }] }],
      volumes: [
        { volumeId: VOL_1, deviceName: '/dev/xvda', deleteOnTermination: true, sizeGiB: 16, encrypted: true },
        { volumeId: VOL_2, deviceName: '/dev/sdf', deleteOnTermination: true, sizeGiB: 100, encrypted: true },
      ],
    });
    expect(env.recorder.mutations).toEqual([]);
    expect(enrichInstanceAction.output.parse(output)).toEqual(output);
  });

  it('flags the protected tag given as key=value, case-insensitively, and reads Owner / env keys', async () => {
    // Prepare
    const { world, env } = worldSetup();
    const bastion = world.state.ec2.instances.find((i) => i.instanceId === PROTECTED);
    if (bastion === undefined) throw new Error('no bastion');
    bastion.tags = { Owner: 'security', env: 'prod', 'riposte:protected': 'TRUE' };
    const input = enrichInstanceAction.input.parse({ instanceId: PROTECTED });

    // Act
    const output = await enrichInstanceAction.run(input, env);

    // Assess
    expect(output).toMatchObject({
      owner: 'security',
      environment: 'prod',
      protected: true,
      autoScalingGroup: null,
      elasticIps: [],
    });
  });
});
