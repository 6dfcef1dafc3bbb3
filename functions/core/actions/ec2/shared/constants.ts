/** Names the EC2 actions share: tags, security-group names, the state key. */

/** The tags isolation and release put on the instance. */
export const STATUS_TAG = 'riposte:status';
export const INCIDENT_TAG = 'riposte:incident';
/** Names of the per-VPC security groups, created on demand and reused. */
export const UNTRACK_GROUP_PREFIX = 'riposte-untrack-';
export const ISOLATION_GROUP_PREFIX = 'riposte-isolation-';

/**
 * The key the pre-containment state of an instance is saved under.
 *
 * @example
 * await env.state.load(instanceStateKey('i-0a1b2c3d4e5f60718')); // saved by isolate-instance
 */
export const instanceStateKey = (instanceId: string): string => `ec2:${instanceId}`;

export const SHARED_ROLE_WARNING =
  'revoking the role sessions denies every session of the role issued before revokedBefore: other instances ' +
  'or services sharing the role lose their current credentials until they fetch new ones';
