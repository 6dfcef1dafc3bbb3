import { isolateInstanceAction } from '../../../functions/core/actions/ec2/isolate-instance.ts';
import { containUserAction } from '../../../functions/core/actions/iam/contain-iam-user.ts';
import { revokeRoleSessionsAction } from '../../../functions/core/actions/iam/revoke-role-sessions.ts';
import { blockBucketPublicAccessAction } from '../../../functions/core/actions/s3/block-bucket-public-access.ts';
import { definePlaybook, type Playbook } from '../../../functions/core/playbooks/sdk.ts';

export const RECKLESS = 'reckless-containment';

/**
 * A playbook that calls every containment action on fixed targets, each failure ignored: no
 * check of its own, so only the actions' rails stand between it and the resources.
 *
 * @example
 * const playbook = recklessPlaybook({ instanceId, userName, roleName, bucketName });
 */
export function recklessPlaybook(targets: {
  readonly instanceId: string;
  readonly userName: string;
  readonly roleName: string;
  readonly bucketName: string;
}): Playbook {
  return definePlaybook({
    id: RECKLESS,
    version: '1.0.0',
    title: 'Reckless containment',
    description: 'Calls every containment action directly, with no check (safety test).',
    owner: 'test',
    changelog: { '1.0.0': 'Everything, at once.' },
    trigger: { manual: true },
    steps: (flow) =>
      flow
        .run('isolate', isolateInstanceAction, () => ({ instanceId: targets.instanceId }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        })
        .run('user', containUserAction, () => ({ userName: targets.userName }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        })
        .run('role', revokeRoleSessionsAction, () => ({ roleName: targets.roleName }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        })
        .run('bucket', blockBucketPublicAccessAction, () => ({ bucketName: targets.bucketName }), {
          catch: [{ errors: ['States.ALL'], recover: (f) => f }],
        }),
  });
}
