import { readIngressRules } from '../ec2/shared/security-group.ts';
import {
  type IngressRule,
  type Ports,
  ruleText,
  sameRule,
  selectWorldOpen,
} from '../ec2/shared/world-open.ts';
import type { ActionEnv } from '../types.ts';
import { check, idSet, readChecks, type Verification, verification } from './check.ts';

/**
 * Read-backs of revoke-world-open-ingress and its release: the group's inbound rules read again
 * with `DescribeSecurityGroupRules` (filter `group-id`), the call the actions read with.
 */

/**
 * After the revoke: none of the revoked rule ids remains, and no world-open rule reaches the
 * chosen ports (one the revoke did not know of, added meanwhile, is caught too).
 *
 * @example
 * const v = await verifyIngressRevoked(env, 'sg-0c4e6a8b2d1f3e5a7', ['sgr-0a1b2c3d4e5f6a7b8'], [22, 3389]);
 * v.verified; // true
 */
export async function verifyIngressRevoked(
  env: ActionEnv,
  groupId: string,
  revokedIds: readonly string[],
  ports: Ports,
): Promise<Verification> {
  const checks = await readChecks(`${groupId} DescribeSecurityGroupRules`, async () => {
    const rules = await readIngressRules(env.clients.ec2, groupId);
    const remaining = rules.filter((r) => revokedIds.includes(r.ruleId)).map((r) => r.ruleId);
    const open = selectWorldOpen(rules, ports).map(ruleText);
    const where = ports === 'all' ? 'any port' : `ports ${ports.join(', ')}`;
    return [
      check(`${groupId} revoked rules still present`, 'none', idSet(remaining)),
      check(`${groupId} world-open ingress on ${where}`, 'none', idSet(open)),
    ];
  });
  return verification(checks, env);
}

/**
 * After the release: every saved rule is present again (same protocol, ports and CIDR; AWS gives
 * it a new id).
 *
 * @example
 * const v = await verifyIngressRestored(env, 'sg-0c4e6a8b2d1f3e5a7', capture.rules);
 * v.evidence[0]; // { check: 'sg-… rule tcp 22 from 0.0.0.0/0 (sgr-…)', expected: 'present', actual: 'present', ok: true }
 */
export async function verifyIngressRestored(
  env: ActionEnv,
  groupId: string,
  saved: readonly IngressRule[],
): Promise<Verification> {
  const checks = await readChecks(`${groupId} DescribeSecurityGroupRules`, async () => {
    const rules = await readIngressRules(env.clients.ec2, groupId);
    return saved.map((rule) =>
      check(
        `${groupId} rule ${ruleText(rule)}`,
        'present',
        rules.some((r) => sameRule(r, rule)) ? 'present' : 'absent',
      ),
    );
  });
  return verification(checks, env);
}
