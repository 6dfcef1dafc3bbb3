import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { DeleteLoginProfileCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import {
  createClients,
  type ServiceName,
  ServiceNotDeclaredError,
  type WorldBackend,
} from '../../../functions/core/actions/clients.ts';
import { AwsAccessDeniedError } from '../../../functions/core/actions/errors.ts';
import { CallRecorder } from '../../../functions/core/actions/recorder.ts';
import { ALL_SERVICES } from '../../../functions/core/actions/services/all.ts';
import { iamService } from '../../../functions/core/actions/services/iam.ts';

/** A world that fails every call with the AWS error `code`. */
function failingWorld(code: string): WorldBackend {
  return {
    handle: async (service: ServiceName, api: string) => {
      const error = new Error(`${service}:${api} says ${code}`);
      error.name = code;
      throw error;
    },
  };
}

describe('createClients in world mode', () => {
  it('turns the world’s permission errors into AwsAccessDeniedError, as live mode does', async () => {
    // Prepare
    const recorder = new CallRecorder();
    const clients = createClients({
      mode: { kind: 'world', world: failingWorld('UnauthorizedOperation') },
      recorder,
      region: 'eu-west-1',
      services: ALL_SERVICES,
    });

    // Act
    const call = clients.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-0a', Groups: ['sg-0a'] }),
    );

    // Assess
    await expect(call).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(call).rejects.toThrow(/ec2:ModifyNetworkInterfaceAttribute was denied/);
  });

  it('passes other world errors through unchanged, with their AWS name', async () => {
    // Prepare
    const clients = createClients({
      mode: { kind: 'world', world: failingWorld('NoSuchEntity') },
      recorder: new CallRecorder(),
      region: 'eu-west-1',
      services: ALL_SERVICES,
    });

    // Act
    const error = await clients.iam
      .send(new DeleteLoginProfileCommand({ UserName: 'alice' }))
      .catch((e) => e);

    // Assess
    expect(error).not.toBeInstanceOf(AwsAccessDeniedError);
    expect(error).toMatchObject({ name: 'NoSuchEntity' });
  });
});

describe('createClients services', () => {
  const world: WorldBackend = { handle: async () => ({}) };

  it('builds a client on first use and reuses it for the invocation', () => {
    // Prepare
    const clients = createClients({
      mode: { kind: 'world', world },
      recorder: new CallRecorder(),
      region: 'eu-west-1',
      services: ALL_SERVICES,
    });

    // Act
    const first = clients.ec2;
    const second = clients.ec2;

    // Assess
    expect(first).toBe(second);
    expect(Object.keys(clients).sort()).toEqual([
      'autoScaling',
      'cloudtrail',
      'ec2',
      'elbv2',
      'iam',
      'kms',
      'lambda',
      'rds',
      's3',
    ]);
  });

  it('builds only the declared services, with the mode middleware', async () => {
    // Prepare
    const recorder = new CallRecorder();
    const clients = createClients({
      mode: { kind: 'world', world },
      recorder,
      region: 'eu-west-1',
      services: { ...iamService },
    });

    // Act
    await clients.iam.send(new DeleteLoginProfileCommand({ UserName: 'alice' }));
    const undeclared = () => clients.ec2;

    // Assess
    expect(recorder.calls).toMatchObject([{ service: 'iam', api: 'DeleteLoginProfile', dryRun: true }]);
    expect(undeclared).toThrow(ServiceNotDeclaredError);
    expect(undeclared).toThrow(/no ec2 client/);
  });

  it('keeps IAM on its global endpoint whatever the incident’s region', async () => {
    // Prepare
    const clients = createClients({
      mode: { kind: 'world', world },
      recorder: new CallRecorder(),
      region: 'eu-west-1',
      services: ALL_SERVICES,
    });

    // Act
    const iamRegion = await clients.iam.config.region();
    const ec2Region = await clients.ec2.config.region();

    // Assess
    expect(iamRegion).toBe('us-east-1');
    expect(ec2Region).toBe('eu-west-1');
  });
});
