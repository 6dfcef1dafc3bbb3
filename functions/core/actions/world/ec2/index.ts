import { UnsupportedWorldCallError, WorldApiError } from '../errors.ts';
import { associateAddress, describeAddresses, disassociateAddress } from './addresses.ts';
import { attachInstances, detachInstances, enterStandby, exitStandby } from './auto-scaling.ts';
import { describeAutoScalingGroups, describeAutoScalingInstances } from './auto-scaling-describe.ts';
import { deregisterTargets, describeTargetGroups, describeTargetHealth, registerTargets } from './elbv2.ts';
import { describeInstanceAttribute, modifyInstanceAttribute } from './instance-attributes.ts';
import {
  associateIamInstanceProfile,
  describeIamInstanceProfileAssociations,
  disassociateIamInstanceProfile,
} from './instance-profiles.ts';
import { describeInstances } from './instances.ts';
import { modifyInstanceMetadataOptions } from './metadata-options.ts';
import { describeNetworkInterfaces, modifyNetworkInterfaceAttribute } from './network-interfaces.ts';
import { describeSecurityGroupRules } from './security-group-rules.ts';
import { authorize, createSecurityGroup, describeSecurityGroups, revoke } from './security-groups.ts';
import {
  describeImageAttribute,
  describeImages,
  describeSnapshotAttribute,
  getImageBlockPublicAccessState,
  getSnapshotBlockPublicAccessState,
  modifyImageAttribute,
  modifySnapshotAttribute,
} from './sharing.ts';
import { createTags, deleteTags } from './tags.ts';
import { createSnapshot, describeSnapshots, describeVolumes } from './volumes.ts';
import type { Ec2World, Handler, Params } from './world.ts';

/**
 * The EC2 side of a local world: instances, ENIs, security groups, Elastic IPs, volumes,
 * snapshots, instance profile associations, Auto Scaling groups and ELBv2 target groups.
 *
 * The file format is camelCase and minimal (defaults fill the rest); {@link handleEc2} answers
 * the SDK v3 operations Riposte's EC2 actions call with AWS's own response shapes (PascalCase,
 * `Date` objects for timestamps) and applies writes to the state in place. Ids of things the
 * world creates come from a counter kept in the state (`sg-riposte00000001`...), so two runs
 * of the same sequence of calls on the same world give the same ids.
 */

/**
 * Answers one EC2, Auto Scaling or ELBv2 call from the world, applying writes in place.
 * Unknown ids throw {@link WorldApiError} with AWS's error code; operations (or parameters)
 * the world does not model throw {@link UnsupportedWorldCallError}.
 *
 * @example
 * const out = handleEc2(world.ec2, 'ec2', 'DescribeInstances', { InstanceIds: ['i-0a1b2c3d4e5f60718'] });
 * // { Reservations: [{ ReservationId, OwnerId, Instances: [{ InstanceId, NetworkInterfaces, ... }] }] }
 */
export function handleEc2(
  state: Ec2World,
  service: 'ec2' | 'autoScaling' | 'elbv2',
  api: string,
  params: Params,
): Record<string, unknown> {
  const handler = HANDLERS[service].get(api);
  if (handler === undefined) throw new UnsupportedWorldCallError(service, api);
  if (service === 'ec2' && params.DryRun === true) {
    throw new WorldApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  }
  return handler(state, params);
}
export const HANDLERS: Record<'ec2' | 'autoScaling' | 'elbv2', ReadonlyMap<string, Handler>> = {
  ec2: new Map<string, Handler>([
    ['DescribeInstances', describeInstances],
    ['DescribeInstanceAttribute', describeInstanceAttribute],
    ['ModifyInstanceAttribute', modifyInstanceAttribute],
    ['ModifyInstanceMetadataOptions', modifyInstanceMetadataOptions],
    ['DescribeNetworkInterfaces', describeNetworkInterfaces],
    ['ModifyNetworkInterfaceAttribute', modifyNetworkInterfaceAttribute],
    ['DescribeSecurityGroups', describeSecurityGroups],
    ['DescribeSecurityGroupRules', describeSecurityGroupRules],
    ['CreateSecurityGroup', createSecurityGroup],
    ['AuthorizeSecurityGroupIngress', authorize('ingress')],
    ['AuthorizeSecurityGroupEgress', authorize('egress')],
    ['RevokeSecurityGroupIngress', revoke('ingress')],
    ['RevokeSecurityGroupEgress', revoke('egress')],
    ['DescribeAddresses', describeAddresses],
    ['AssociateAddress', associateAddress],
    ['DisassociateAddress', disassociateAddress],
    ['DescribeIamInstanceProfileAssociations', describeIamInstanceProfileAssociations],
    ['AssociateIamInstanceProfile', associateIamInstanceProfile],
    ['DisassociateIamInstanceProfile', disassociateIamInstanceProfile],
    ['DescribeVolumes', describeVolumes],
    ['CreateSnapshot', createSnapshot],
    ['DescribeSnapshots', describeSnapshots],
    ['DescribeSnapshotAttribute', describeSnapshotAttribute],
    ['ModifySnapshotAttribute', modifySnapshotAttribute],
    ['DescribeImages', describeImages],
    ['DescribeImageAttribute', describeImageAttribute],
    ['ModifyImageAttribute', modifyImageAttribute],
    ['GetSnapshotBlockPublicAccessState', getSnapshotBlockPublicAccessState],
    ['GetImageBlockPublicAccessState', getImageBlockPublicAccessState],
    ['CreateTags', createTags],
    ['DeleteTags', deleteTags],
  ]),
  autoScaling: new Map<string, Handler>([
    ['DescribeAutoScalingInstances', describeAutoScalingInstances],
    ['DescribeAutoScalingGroups', describeAutoScalingGroups],
    ['EnterStandby', enterStandby],
    ['ExitStandby', exitStandby],
    ['DetachInstances', detachInstances],
    ['AttachInstances', attachInstances],
  ]),
  elbv2: new Map<string, Handler>([
    ['DescribeTargetGroups', describeTargetGroups],
    ['DescribeTargetHealth', describeTargetHealth],
    ['RegisterTargets', registerTargets],
    ['DeregisterTargets', deregisterTargets],
  ]),
};
