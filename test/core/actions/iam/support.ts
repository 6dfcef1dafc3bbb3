import {
  DeleteLoginProfileCommand,
  DeleteUserPolicyCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListMFADevicesCommand,
  ListUserPoliciesCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { DENY_ALL_POLICY } from '../../../../functions/core/actions/iam/shared/policies.ts';
import { actionEnv, TEST_NOW, wireMocks } from '../../../support/action-env.ts';

/** The IAM actions' test fixtures: the user and role, their live mocks, the calls containment makes. */

export const NOW = TEST_NOW; // 2025-06-01T12:00:00.000Z
export const NOW_ISO = new Date(NOW).toISOString();
export const USER = 'payments-deployer';
export const ROLE = 'payments-app-role';
export const OLD_KEY = 'AKIAPAYMENTSDEPLOY01';
export const NEW_KEY = 'AKIAPAYMENTSATTACK02';
export const USER_ARN = `arn:aws:iam::111122223333:user/${USER}`;
export const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE}`;
export const MUTATING = new Set([
  'UpdateAccessKey',
  'PutUserPolicy',
  'DeleteUserPolicy',
  'DeleteLoginProfile',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'DeleteAccessKey',
  'DetachUserPolicy',
  'CreateLoginProfile',
]);

/** Live clients with aws-sdk-client-mock behind their middleware (recording, error translation). */
export function liveEnv() {
  const env = actionEnv({ mode: { kind: 'live' }, now: () => NOW });
  const { iam } = wireMocks(env.clients);
  return { env, iam };
}

export type IamMock = ReturnType<typeof liveEnv>['iam'];

/** The calls the mock received, as `[operation, input]`, in order. */
export function sent(mock: IamMock): [string, unknown][] {
  return mock.calls().map((call) => {
    const command = call.args[0];
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

export function mutations(mock: IamMock): [string, unknown][] {
  return sent(mock).filter(([api]) => MUTATING.has(api));
}

export const noSuchEntity = (message: string) => new NoSuchEntityException({ message, $metadata: {} });

/** A user before containment: two Active keys (one created by the attacker), console, two MFA devices. */
export function uncontainedUser(
  iam: IamMock,
  tags: Record<string, string> = { owner: 'payments-team', environment: 'production' },
): void {
  iam.on(GetUserCommand).resolves({
    User: {
      Path: '/',
      UserName: USER,
      UserId: 'AIDAPAYMENTSDEPLOY01',
      Arn: USER_ARN,
      CreateDate: new Date('2024-03-04T09:00:00Z'),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
  });
  iam.on(ListAccessKeysCommand).resolves({
    AccessKeyMetadata: [
      {
        UserName: USER,
        AccessKeyId: OLD_KEY,
        Status: 'Active',
        CreateDate: new Date('2024-03-04T09:05:00Z'),
      },
      {
        UserName: USER,
        AccessKeyId: NEW_KEY,
        Status: 'Active',
        CreateDate: new Date('2025-06-01T03:12:44Z'),
      },
    ],
    IsTruncated: false,
  });
  iam
    .on(ListUserPoliciesCommand)
    .resolves({ PolicyNames: ['deploy-payments-artifacts'], IsTruncated: false });
  iam.on(ListAttachedUserPoliciesCommand).resolves({
    AttachedPolicies: [
      {
        PolicyName: 'AWSCompromisedKeyQuarantineV2',
        PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2',
      },
    ],
    IsTruncated: false,
  });
  iam.on(GetLoginProfileCommand).resolves({
    LoginProfile: {
      UserName: USER,
      CreateDate: new Date('2024-03-04T09:00:00Z'),
      PasswordResetRequired: false,
    },
  });
  iam.on(ListMFADevicesCommand).resolves({
    MFADevices: [
      {
        UserName: USER,
        SerialNumber: `arn:aws:iam::111122223333:mfa/${USER}`,
        EnableDate: new Date('2024-03-04T09:10:00Z'),
      },
      {
        UserName: USER,
        SerialNumber: 'arn:aws:iam::111122223333:mfa/attacker-phone',
        EnableDate: new Date('2025-06-01T03:20:00Z'),
      },
    ],
    IsTruncated: false,
  });
  iam.on(UpdateAccessKeyCommand).resolves({});
  iam.on(PutUserPolicyCommand).resolves({});
  iam.on(DeleteLoginProfileCommand).resolves({});
  iam.on(DeleteUserPolicyCommand).resolves({});
}

/** The same user once contained: keys Inactive, riposte-deny-all in place, no console password. */
export function containedUser(iam: IamMock): void {
  uncontainedUser(iam);
  iam.on(ListAccessKeysCommand).resolves({
    AccessKeyMetadata: [
      {
        UserName: USER,
        AccessKeyId: OLD_KEY,
        Status: 'Inactive',
        CreateDate: new Date('2024-03-04T09:05:00Z'),
      },
      {
        UserName: USER,
        AccessKeyId: NEW_KEY,
        Status: 'Inactive',
        CreateDate: new Date('2025-06-01T03:12:44Z'),
      },
    ],
    IsTruncated: false,
  });
  iam
    .on(ListUserPoliciesCommand)
    .resolves({ PolicyNames: ['deploy-payments-artifacts', 'riposte-deny-all'], IsTruncated: false });
  iam.on(GetUserPolicyCommand).resolves({
    UserName: USER,
    PolicyName: 'riposte-deny-all',
    PolicyDocument: encodeURIComponent(JSON.stringify(DENY_ALL_POLICY)),
  });
  iam.on(GetLoginProfileCommand).rejects(noSuchEntity(`Login Profile for User ${USER} cannot be found.`));
}

/** contain-iam-user's read-back: the keys, the deny policy, the login profile. */
export const CONTAINED_READ_BACK: [string, unknown][] = [
  ['ListAccessKeys', { UserName: USER }],
  ['GetUserPolicy', { UserName: USER, PolicyName: 'riposte-deny-all' }],
  ['GetLoginProfile', { UserName: USER }],
];

export const USER_READS: [string, unknown][] = [
  ['GetUser', { UserName: USER }],
  ['ListAccessKeys', { UserName: USER }],
  ['ListUserPolicies', { UserName: USER }],
  ['ListAttachedUserPolicies', { UserName: USER }],
  ['GetLoginProfile', { UserName: USER }],
  ['ListMFADevices', { UserName: USER }],
];

/** The error the IAM SDK throws for a 403 AccessDenied (not modelled: its name is the code). */
export function accessDenied(action: string): Error {
  return Object.assign(
    new Error(
      `User: arn:aws:sts::111122223333:assumed-role/riposte-contain/fn is not authorized to perform: ${action}`,
    ),
    { name: 'AccessDenied', Code: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } },
  );
}
