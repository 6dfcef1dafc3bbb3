import type { Handler } from './schema.ts';
import {
  assertModifiable,
  encodeDocument,
  iamError,
  instanceProfile,
  instanceProfileShape,
  page,
  parsePolicyDocument,
  requireString,
  role,
  roleShape,
  tagList,
} from './shared.ts';

/** IAM roles and instance profiles. */

export const ROLE_HANDLERS: Readonly<Record<string, Handler>> = {
  GetRole(state, params) {
    const name = requireString(params, 'RoleName');
    const entry = role(state, name);
    return {
      Role: {
        ...roleShape(state, name, entry),
        ...(entry.description === undefined ? {} : { Description: entry.description }),
        MaxSessionDuration: entry.maxSessionDuration,
        ...tagList(entry.tags),
        RoleLastUsed:
          entry.lastUsed === undefined
            ? {}
            : { LastUsedDate: new Date(entry.lastUsed.date), Region: entry.lastUsed.region },
      },
    };
  },
  ListRoleTags(state, params) {
    const entry = role(state, requireString(params, 'RoleName'));
    return page(tagList(entry.tags).Tags ?? [], 'Tags', params);
  },
  ListRolePolicies(state, params) {
    return page(
      Object.keys(role(state, requireString(params, 'RoleName')).inlinePolicies),
      'PolicyNames',
      params,
    );
  },
  GetRolePolicy(state, params) {
    const name = requireString(params, 'RoleName');
    const policyName = requireString(params, 'PolicyName');
    const document = role(state, name).inlinePolicies[policyName];
    if (document === undefined) {
      throw iamError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
    }
    return { RoleName: name, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
  },
  PutRolePolicy(state, params) {
    const name = requireString(params, 'RoleName');
    const entry = role(state, name);
    const policyName = requireString(params, 'PolicyName');
    const document = parsePolicyDocument(params);
    assertModifiable(name, entry);
    entry.inlinePolicies[policyName] = document;
    return {};
  },
  DeleteRolePolicy(state, params) {
    const name = requireString(params, 'RoleName');
    const entry = role(state, name);
    const policyName = requireString(params, 'PolicyName');
    assertModifiable(name, entry);
    if (entry.inlinePolicies[policyName] === undefined) {
      throw iamError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
    }
    delete entry.inlinePolicies[policyName];
    return {};
  },
  ListAttachedRolePolicies(state, params) {
    const entry = role(state, requireString(params, 'RoleName'));
    const policies = entry.attachedPolicies.map((p) => ({
      PolicyName: p.policyName,
      PolicyArn: p.policyArn,
    }));
    return page(policies, 'AttachedPolicies', params);
  },
  GetInstanceProfile(state, params) {
    const name = requireString(params, 'InstanceProfileName');
    return { InstanceProfile: instanceProfileShape(state, name, instanceProfile(state, name)) };
  },
  ListInstanceProfilesForRole(state, params) {
    const roleName = requireString(params, 'RoleName');
    role(state, roleName);
    const profiles = Object.entries(state.instanceProfiles)
      .filter(([, entry]) => entry.roles.includes(roleName))
      .map(([name, entry]) => instanceProfileShape(state, name, entry));
    return page(profiles, 'InstanceProfiles', params);
  },
};
