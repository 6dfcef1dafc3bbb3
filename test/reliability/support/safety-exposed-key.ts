import { type FixtureEvent, loadFixture } from '../../support/fixtures.ts';
import { protectUser, type TargetModel } from './safety-model.ts';

/** The exposed key and its user: ci-deployer's (the fixture's) for a user pick, payments-deployer's otherwise. */
const KEYS = {
  user: { userName: 'ci-deployer', accessKeyId: 'AKIAEXAMPLEEXPOSED01' },
  role: { userName: 'payments-deployer', accessKeyId: 'AKIAPAYMENTSATTACK02' },
} as const;

/** AWS Health's AWS_RISK_CREDENTIALS_EXPOSED naming the key (its user named in the description only). */
function exposed(key: { readonly userName: string; readonly accessKeyId: string }): FixtureEvent {
  const text = JSON.stringify(loadFixture('health/risk-credentials-exposed.json'));
  return JSON.parse(
    text.replaceAll('AKIAEXAMPLEEXPOSED01', key.accessKeyId).replaceAll('ci-deployer', key.userName),
  ) as FixtureEvent;
}

/**
 * IAM access keys AWS found exposed (exposed-access-key and its release): the key deactivated,
 * then its user contained (approved); the release undoes the user's containment only. AWS Health
 * sends no provider samples: the `sample` condition cannot arise. Protected: the key's user.
 */
export const exposedKeyModel: TargetModel = {
  playbooks: {
    'exposed-access-key': {},
    'exposed-access-key-release': { containedBy: 'exposed-access-key' },
  },
  build: (pick) => {
    if (pick.condition === 'sample') return undefined;
    const key = KEYS[pick.principal];
    return {
      event: exposed(key),
      prepare: (world) => {
        const user = world.iam.users[key.userName];
        if (user !== undefined) user.tags.environment = pick.staging ? 'staging' : 'production';
      },
      protect: (world) => protectUser(world, key.userName, pick.tagValue),
    };
  },
};
