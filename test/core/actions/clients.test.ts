import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { DeleteLoginProfileCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import {
  createClients,
  type ServiceName,
  type WorldBackend,
} from '../../../functions/core/actions/clients.ts';
import { AwsAccessDeniedError } from '../../../functions/core/actions/errors.ts';
import { CallRecorder } from '../../../functions/core/actions/recorder.ts';

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
