import type { ActionDefinition } from '../types.ts';
import { enrichEc2SharingAction } from './enrich-ec2-sharing.ts';
import { enrichInstanceAction } from './enrich-instance.ts';
import { enrichSecurityGroupAction } from './enrich-security-group.ts';
import { isolateInstanceAction } from './isolate-instance.ts';
import { releaseInstanceAction } from './release-instance.ts';
import { releaseInstanceMetadataOptionsAction } from './release-instance-metadata-options.ts';
import { removePublicEc2SharingAction } from './remove-public-ec2-sharing.ts';
import { requireImdsv2Action } from './require-imdsv2.ts';
import { restoreWorldOpenIngressAction } from './restore-world-open-ingress.ts';
import { revokeWorldOpenIngressAction } from './revoke-world-open-ingress.ts';

/**
 * EC2 actions: enrich an instance, isolate it, release it; enrich a security group, revoke its
 * world-open inbound rules, restore them; end the public sharing of a snapshot or an AMI. The isolation follows "Isolating an
 * EC2 instance" in CONTAINMENT.md step by step: capture first (the evidence and what release
 * restores), the safety rails, evidence preservation, leave the Auto Scaling group and the
 * target groups, the two-step security-group swap on every ENI, Elastic IPs, credentials,
 * snapshots, tags. Every step first looks at the current state and only changes what is not
 * already as wanted, so a second run on an isolated instance sends no state-changing call.
 */
export const EC2_ACTIONS: readonly ActionDefinition[] = [
  enrichInstanceAction,
  isolateInstanceAction,
  releaseInstanceAction,
  enrichSecurityGroupAction,
  revokeWorldOpenIngressAction,
  restoreWorldOpenIngressAction,
  enrichEc2SharingAction,
  removePublicEc2SharingAction,
  requireImdsv2Action,
  releaseInstanceMetadataOptionsAction,
] as readonly ActionDefinition[];
