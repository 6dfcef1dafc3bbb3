import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import { guardDutyRdsLoginFinding, securityHubRdsControlFinding } from '../../support/rds-events.ts';
import { at, protectTags, type TargetModel } from './safety-model.ts';

/** Unprotected, stand-alone DB instances of the example world (one with a read replica). */
const INSTANCES = ['reports-db', 'orders-db'] as const;

/**
 * RDS DB instances (rds-instance-exposure and its release): snapshotted and made not publicly
 * accessible; nothing is touched indirectly. A Security Hub control finding for a user pick, a
 * GuardDuty RDS login finding for a role pick: both triggers are tried.
 */
export const rdsModel: TargetModel = {
  playbooks: {
    'rds-instance-exposure': {},
    'rds-instance-release': { containedBy: 'rds-instance-exposure' },
  },
  build: (pick) => {
    const dbInstance = at(INSTANCES, pick.variant);
    const sample = pick.condition === 'sample';
    const tagsOf = (world: WorldData) => world.rds.instances[dbInstance]?.tags;
    return {
      event:
        pick.principal === 'user'
          ? securityHubRdsControlFinding({ dbInstance, sample })
          : guardDutyRdsLoginFinding({ dbInstance, sample }),
      prepare: (world) => {
        const tags = tagsOf(world);
        if (tags !== undefined) tags.environment = pick.staging ? 'staging' : 'production';
      },
      protect: (world) => {
        const tags = tagsOf(world);
        if (tags !== undefined) protectTags(tags, pick.tagValue);
      },
    };
  },
};
