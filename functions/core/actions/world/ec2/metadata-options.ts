import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { findInstance } from './lookups.ts';
import { parse } from './shared.ts';
import type { Ec2World, Instance, Output, Params } from './world.ts';

/**
 * Instance metadata options: `ModifyInstanceMetadataOptions` and the `MetadataOptions` block of
 * `DescribeInstances`, as the EC2 API Reference describes them
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html):
 * on a running instance the change answers `State: pending`, and a later `DescribeInstances`
 * shows `applied`; on a stopped instance it applies at the next start (the world shows it
 * applied at once). Parameters left out keep their value.
 */

/** The instance's options as `DescribeInstances` and the modify call answer them. */
export function metadataOptionsOf(instance: Instance): Output {
  const m = instance.metadataOptions;
  return {
    State: m.state,
    HttpTokens: m.httpTokens,
    HttpPutResponseHopLimit: m.httpPutResponseHopLimit,
    HttpEndpoint: m.httpEndpoint,
    HttpProtocolIpv6: m.httpProtocolIpv6,
    InstanceMetadataTags: m.instanceMetadataTags,
  };
}

/** A change read once as `pending` is `applied` from then on. */
export function settleMetadataOptions(instance: Instance): void {
  if (instance.metadataOptions.state === 'pending') instance.metadataOptions.state = 'applied';
}

const ModifyInput = z.object({
  InstanceId: z.string(),
  HttpTokens: z.enum(['optional', 'required']).optional(),
  HttpPutResponseHopLimit: z.number().int().optional(),
  HttpEndpoint: z.enum(['enabled', 'disabled']).optional(),
  HttpProtocolIpv6: z.enum(['enabled', 'disabled']).optional(),
  InstanceMetadataTags: z.enum(['enabled', 'disabled']).optional(),
});

export function modifyInstanceMetadataOptions(state: Ec2World, params: Params): Output {
  const input = parse('ModifyInstanceMetadataOptions', ModifyInput, params);
  const instance = findInstance(state, input.InstanceId);
  const hops = input.HttpPutResponseHopLimit;
  if (hops !== undefined && (hops < 1 || hops > 64)) {
    throw new WorldApiError(
      'InvalidParameterValue',
      `The HttpPutResponseHopLimit must be between 1 and 64; ${hops} is not`,
    );
  }
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    throw new WorldApiError(
      'IncorrectInstanceState',
      `The instance '${instance.instanceId}' is not in a state from which it can be modified`,
    );
  }
  const m = instance.metadataOptions;
  instance.metadataOptions = {
    httpTokens: input.HttpTokens ?? m.httpTokens,
    httpPutResponseHopLimit: hops ?? m.httpPutResponseHopLimit,
    httpEndpoint: input.HttpEndpoint ?? m.httpEndpoint,
    httpProtocolIpv6: input.HttpProtocolIpv6 ?? m.httpProtocolIpv6,
    instanceMetadataTags: input.InstanceMetadataTags ?? m.instanceMetadataTags,
    state: instance.state === 'running' || instance.state === 'pending' ? 'pending' : 'applied',
  };
  return { InstanceId: instance.instanceId, InstanceMetadataOptions: metadataOptionsOf(instance) };
}
