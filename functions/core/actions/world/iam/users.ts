import type { Handler } from './schema.ts';
import {
  encodeDocument,
  findKey,
  iamError,
  page,
  parsePolicyDocument,
  requireString,
  tagList,
  user,
  userShape,
} from './shared.ts';

/** IAM users: the user, its keys, policies, console login profile and MFA devices. */

export const USER_HANDLERS: Readonly<Record<string, Handler>> = {
  GetUser(state, params) {
    const name = requireString(params, 'UserName');
    const entry = user(state, name);
    return { User: { ...userShape(state, name, entry), ...tagList(entry.tags) } };
  },
  ListUserTags(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    return page(tagList(entry.tags).Tags ?? [], 'Tags', params);
  },
  ListAccessKeys(state, params) {
    const name = requireString(params, 'UserName');
    const keys = user(state, name).accessKeys.map((k) => ({
      UserName: name,
      AccessKeyId: k.accessKeyId,
      Status: k.status,
      CreateDate: new Date(k.createDate),
    }));
    return page(keys, 'AccessKeyMetadata', params);
  },
  GetAccessKeyLastUsed(state, params) {
    const { userName, key } = findKey(state, requireString(params, 'AccessKeyId'));
    return {
      UserName: userName,
      AccessKeyLastUsed:
        key.lastUsed === undefined
          ? { ServiceName: 'N/A', Region: 'N/A' }
          : {
              LastUsedDate: new Date(key.lastUsed.date),
              ServiceName: key.lastUsed.serviceName,
              Region: key.lastUsed.region,
            },
    };
  },
  UpdateAccessKey(state, params) {
    const accessKeyId = requireString(params, 'AccessKeyId');
    const status = requireString(params, 'Status');
    if (status !== 'Active' && status !== 'Inactive') {
      throw iamError('ValidationError', `Value '${status}' at 'status' failed to satisfy constraint`, false);
    }
    // Without UserName, IAM acts on the caller's own keys; the world resolves the key's owner.
    const owner =
      typeof params.UserName === 'string' ? params.UserName : findKey(state, accessKeyId).userName;
    const key = user(state, owner).accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (key === undefined) {
      throw iamError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    }
    key.status = status;
    return {};
  },
  ListUserPolicies(state, params) {
    return page(
      Object.keys(user(state, requireString(params, 'UserName')).inlinePolicies),
      'PolicyNames',
      params,
    );
  },
  GetUserPolicy(state, params) {
    const name = requireString(params, 'UserName');
    const policyName = requireString(params, 'PolicyName');
    const document = user(state, name).inlinePolicies[policyName];
    if (document === undefined) {
      throw iamError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    }
    return { UserName: name, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
  },
  PutUserPolicy(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    const policyName = requireString(params, 'PolicyName');
    entry.inlinePolicies[policyName] = parsePolicyDocument(params);
    return {};
  },
  DeleteUserPolicy(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    const policyName = requireString(params, 'PolicyName');
    if (entry.inlinePolicies[policyName] === undefined) {
      throw iamError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    }
    delete entry.inlinePolicies[policyName];
    return {};
  },
  ListAttachedUserPolicies(state, params) {
    const entry = user(state, requireString(params, 'UserName'));
    const policies = entry.attachedPolicies.map((p) => ({
      PolicyName: p.policyName,
      PolicyArn: p.policyArn,
    }));
    return page(policies, 'AttachedPolicies', params);
  },
  GetLoginProfile(state, params) {
    const name = requireString(params, 'UserName');
    const profile = user(state, name).loginProfile;
    if (profile === undefined)
      throw iamError('NoSuchEntity', `Login Profile for User ${name} cannot be found.`);
    return {
      LoginProfile: {
        UserName: name,
        CreateDate: new Date(profile.createDate),
        PasswordResetRequired: profile.passwordResetRequired,
      },
    };
  },
  DeleteLoginProfile(state, params) {
    const name = requireString(params, 'UserName');
    const entry = user(state, name);
    if (entry.loginProfile === undefined) {
      throw iamError('NoSuchEntity', `Login Profile for User ${name} cannot be found.`);
    }
    delete entry.loginProfile;
    return {};
  },
  CreateLoginProfile(state, params) {
    const name = requireString(params, 'UserName');
    const entry = user(state, name);
    // The world keeps no password: only that one exists.
    requireString(params, 'Password');
    if (entry.loginProfile !== undefined) {
      throw iamError('EntityAlreadyExists', `Login Profile for user ${name} already exists.`);
    }
    const createDate = new Date().toISOString();
    const passwordResetRequired = params.PasswordResetRequired === true;
    entry.loginProfile = { createDate, passwordResetRequired };
    return {
      LoginProfile: {
        UserName: name,
        CreateDate: new Date(createDate),
        PasswordResetRequired: passwordResetRequired,
      },
    };
  },
  ListMFADevices(state, params) {
    const name = requireString(params, 'UserName');
    const devices = user(state, name).mfaDevices.map((d) => ({
      UserName: name,
      SerialNumber: d.serialNumber,
      EnableDate: new Date(d.enableDate),
    }));
    return page(devices, 'MFADevices', params);
  },
};
