import type { ActionDefinition } from '../types.ts';
import { enrichInstanceAction } from './enrich-instance.ts';
import { isolateInstanceAction } from './isolate-instance.ts';
import { releaseInstanceAction } from './release-instance.ts';
import { releaseInstanceMetadataOptionsAction } from './release-instance-metadata-options.ts';
import { requireImdsv2Action } from './require-imdsv2.ts';

/**
 * EC2 actions: enrich an instance, isolate it, release it. The isolation follows "Isolating an
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
  requireImdsv2Action,
  releaseInstanceMetadataOptionsAction,
] as readonly ActionDefinition[];
