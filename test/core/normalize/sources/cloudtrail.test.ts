import { describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import {
  apiActivityFor,
  cloudTrailSignal,
  sourceEndpoint,
  userFromIdentity,
} from '../../../../functions/core/normalize/sources/cloudtrail.ts';
import { loadFixture, loadFixtureText } from '../../../support/fixtures.ts';
import { alertFrom, rejectionFrom, set } from '../../../support/normalize.ts';

const STOP_LOGGING = 'cloudtrail/api-call-cloudtrail-stoplogging.json';
const SG_WORLD_OPEN = 'cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json';
const CREATE_ACCESS_KEY = 'cloudtrail/api-call-iam-createaccesskey.json';
const FAILED_CALL = 'cloudtrail/api-call-s3-putbucketpolicy-access-denied.json';
const ROOT_SIGN_IN = 'cloudtrail/console-signin-root-success.json';
const FAILED_SIGN_IN = 'cloudtrail/console-signin-iam-user-failure.json';

const ACCOUNT = { uid: '111122223333', type_id: 10, type: 'AWS Account' };

describe('AWS API Call via CloudTrail → API Activity 6003', () => {
  describe('StopLogging (trail tampering)', () => {
    it('is a High Update with the trail as resource', () => {
      // Prepare
      const text = loadFixtureText(STOP_LOGGING);

      // Act
      const alert = alertFrom(text);

      // Assess
      expect(alert.id).toBe(alertIdFor('cloudtrail:f7a9b1c3-d5e7-4f9a-b1c3-d5e7f9a1b3c5'));
      expect(alert.source).toBe('aws.cloudtrail');
      expect(alert.sample).toBe(false);
      expect(alert.ocsf).toMatchObject({
        class_uid: 6003,
        class_name: 'API Activity',
        category_uid: 6,
        category_name: 'Application Activity',
        activity_id: 3,
        activity_name: 'Update',
        type_uid: 600303,
        type_name: 'API Activity: Update',
        severity_id: 4,
        severity: 'High',
        status_id: 1,
        status: 'Success',
        time: Date.parse('2025-03-20T02:14:05Z'),
        message: 'CloudTrail StopLogging on arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail',
        cloud: { provider: 'AWS', region: 'us-east-1', account: ACCOUNT },
        resources: [
          {
            type: 'AWS::CloudTrail::Trail',
            uid: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail',
            region: 'us-east-1',
          },
        ],
        raw_data: text,
      });
      expect(alert.ocsf.metadata).toMatchObject({
        uid: 'f7a9b1c3-d5e7-4f9a-b1c3-d5e7f9a1b3c5',
        labels: ['signal:cloudtrail-tampering'],
        product: { name: 'CloudTrail', vendor_name: 'AWS' },
        logged_time: Date.parse('2025-03-20T02:14:09Z'),
      });
    });

    it('maps the call, the caller and where it came from', () => {
      // Prepare
      const event = loadFixture(STOP_LOGGING);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.api).toEqual({
        operation: 'StopLogging',
        service: { name: 'cloudtrail.amazonaws.com' },
        request: {
          uid: 'c1d3e5f7-a9b1-4c3d-5e7f-a9b1c3d5e7f9',
          data: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail' },
        },
      });
      expect(alert.ocsf.actor).toEqual({
        user: {
          type_id: 1,
          type: 'User',
          uid: 'arn:aws:iam::111122223333:user/mallory',
          name: 'mallory',
          credential_uid: 'AKIARIPOSTEDEMO2KEYX',
          account: ACCOUNT,
        },
      });
      expect(alert.ocsf.src_endpoint).toEqual({ ip: '203.0.113.88' });
      expect(alert.ocsf.http_request).toEqual({
        user_agent:
          'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.8',
      });
    });

    it('keeps the fields it did not map in unmapped', () => {
      // Prepare
      const event = loadFixture(STOP_LOGGING);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.unmapped).toMatchObject({
        eventVersion: '1.10',
        eventType: 'AwsApiCall',
        readOnly: false,
        tlsDetails: { tlsVersion: 'TLSv1.3' },
      });
      expect(alert.ocsf.unmapped).not.toHaveProperty('eventName');
      expect(alert.ocsf.unmapped).not.toHaveProperty('userIdentity');
    });
  });

  describe('AuthorizeSecurityGroupIngress', () => {
    it('is High when it opens the group to 0.0.0.0/0', () => {
      // Prepare
      const event = loadFixture(SG_WORLD_OPEN);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.source).toBe('aws.ec2');
      expect(alert.ocsf).toMatchObject({
        activity_id: 1,
        activity_name: 'Create',
        type_uid: 600301,
        severity_id: 4,
        message: 'Security group ingress opened to the internet (AuthorizeSecurityGroupIngress)',
        resources: [{ type: 'AWS::EC2::SecurityGroup', uid: 'sg-0c4e6a8b2d1f3e5a7', region: 'eu-west-1' }],
        cloud: { region: 'eu-west-1', account: ACCOUNT },
      });
      expect(alert.ocsf.metadata.labels).toEqual(['signal:world-open-ingress']);
    });

    it('names the group from the rules it created when the call used groupName (default VPC)', () => {
      // Prepare
      const event = loadFixture(SG_WORLD_OPEN) as { detail: { requestParameters: Record<string, unknown> } };
      delete event.detail.requestParameters.groupId;
      event.detail.requestParameters.groupName = 'launch-wizard-1';

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources).toEqual([
        { type: 'AWS::EC2::SecurityGroup', uid: 'sg-0c4e6a8b2d1f3e5a7', region: 'eu-west-1' },
      ]);
      expect(alert.ocsf.metadata.labels).toEqual(['signal:world-open-ingress']);
    });

    it('is High for ::/0 too, and Informational for a private range', () => {
      // Prepare
      const ipv6 = set(loadFixture(SG_WORLD_OPEN), 'detail.requestParameters.ipPermissions.items', [
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] } },
      ]);
      const privateRange = set(loadFixture(SG_WORLD_OPEN), 'detail.requestParameters.ipPermissions.items', [
        { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }] } },
      ]);

      // Act
      const open = alertFrom(ipv6);
      const closed = alertFrom(privateRange);

      // Assess
      expect(open.ocsf.severity_id).toBe(4);
      expect(closed.ocsf.severity_id).toBe(1);
      expect(closed.ocsf.metadata.labels).toBeUndefined();
      expect(closed.ocsf.message).toBe('ec2.amazonaws.com AuthorizeSecurityGroupIngress');
    });

    // Changed: the user of an assumed role is its session (`carol`), no longer the role
    // (`Developer`), which several people assume; the role is the session's issuer.
    it('maps an assumed-role caller with its session name as name, the session ARN as uid and the role as issuer', () => {
      // Prepare
      const event = loadFixture(SG_WORLD_OPEN);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.actor?.user).toEqual({
        type_id: 99,
        type: 'AssumedRole',
        uid: 'arn:aws:sts::111122223333:assumed-role/Developer/carol',
        name: 'carol',
        credential_uid: 'ASIARIPOSTESESSION03',
        account: ACCOUNT,
      });
      expect(alert.ocsf.actor?.session?.issuer).toBe('arn:aws:iam::111122223333:role/Developer');
      expect(alert.ocsf.api?.response?.data).toMatchObject({ _return: true });
    });
  });

  describe('what the mapping keeps', () => {
    // Fixed (cloudtrail.ts sessionFromIdentity): the notes map `actor.session <- sessionContext`;
    // the issuer, creation date and mfaAuthenticated used to survive only inside raw_data.
    it('keeps the session context of an assumed role (actor.session)', () => {
      // Prepare
      const event = loadFixture(SG_WORLD_OPEN);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.actor).toHaveProperty('session.issuer', 'arn:aws:iam::111122223333:role/Developer');
      expect(alert.ocsf.actor?.session).toEqual({
        uid_alt: 'arn:aws:sts::111122223333:assumed-role/Developer/carol',
        issuer: 'arn:aws:iam::111122223333:role/Developer',
        created_time: Date.parse('2025-04-08T15:01:12Z'),
        is_mfa: false,
      });
    });

    it('has no session when the identity has no session context', () => {
      // Prepare
      const event = loadFixture(STOP_LOGGING);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.actor?.session).toBeUndefined();
    });

    // Fixed (cloudtrail.ts normalizeApiCall): requestParameters only reach `api.request.data`
    // with a requestID (OCSF requires request.uid); without one they used to be dropped, and now
    // stay in `unmapped`.
    it('keeps requestParameters when the record has no requestID', () => {
      // Prepare
      const event = set(loadFixture(STOP_LOGGING), 'detail.requestID', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      const kept = JSON.stringify([alert.ocsf.api, alert.ocsf.unmapped]);
      expect(kept).toContain('trail/org-audit-trail');
      expect(alert.ocsf.api?.request).toBeUndefined();
      expect(alert.ocsf.unmapped).toHaveProperty(
        'requestParameters.name',
        'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-trail',
      );
    });

    it('does not repeat requestParameters in unmapped when they are in api.request.data', () => {
      // Prepare
      const event = loadFixture(STOP_LOGGING);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.unmapped).not.toHaveProperty('requestParameters');
    });
  });

  describe('a record without sourceIPAddress', () => {
    it('takes the AWS service that made the call (invokedBy) as the source domain', () => {
      // Prepare
      const event = loadFixture(CREATE_ACCESS_KEY);
      set(event, 'detail.userIdentity', { type: 'AWSService', invokedBy: 'backup.amazonaws.com' });
      set(event, 'detail.sourceIPAddress', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.src_endpoint).toEqual({ domain: 'backup.amazonaws.com' });
    });

    it('takes the VPC endpoint the call came through as the source uid', () => {
      // Prepare
      const event = loadFixture(CREATE_ACCESS_KEY);
      set(event, 'detail.sourceIPAddress', undefined);
      set(event, 'detail.vpcEndpointId', 'vpce-0a1b2c3d4e5f60718');

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.src_endpoint).toEqual({ uid: 'vpce-0a1b2c3d4e5f60718' });
      expect(alert.ocsf.unmapped).not.toHaveProperty('vpcEndpointId');
    });

    it('says the caller is unknown rather than leave the required src_endpoint empty', () => {
      // Prepare
      const event = set(loadFixture(CREATE_ACCESS_KEY), 'detail.sourceIPAddress', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess: not the called service (eventSource), which is the destination
      expect(alert.ocsf.src_endpoint).toEqual({ name: 'unknown' });
    });
  });

  describe('CreateAccessKey', () => {
    it('is Low, with the user the key was created for as resource', () => {
      // Prepare
      const event = loadFixture(CREATE_ACCESS_KEY);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.source).toBe('aws.iam');
      expect(alert.ocsf).toMatchObject({
        activity_id: 1,
        type_uid: 600301,
        severity_id: 2,
        severity: 'Low',
        message: 'IAM access key created',
        resources: [{ type: 'AWS::IAM::User', uid: 'svc-backup', name: 'svc-backup' }],
      });
      expect(alert.ocsf.metadata.labels).toEqual(['signal:access-key-created']);
      expect(alert.ocsf.api?.response?.data).toMatchObject({
        accessKey: { accessKeyId: 'AKIARIPOSTEDEMO4KEYX' },
      });
    });

    it('is High when the root user makes the call', () => {
      // Prepare
      const event = set(loadFixture(CREATE_ACCESS_KEY), 'detail.userIdentity', {
        type: 'Root',
        principalId: '111122223333',
        arn: 'arn:aws:iam::111122223333:root',
        accountId: '111122223333',
      });

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.severity_id).toBe(4);
      expect(alert.ocsf.metadata.labels).toEqual(['signal:root-activity']);
      expect(alert.ocsf.message).toBe('Root user called CreateAccessKey');
      expect(alert.ocsf.actor?.user).toMatchObject({ type_id: 2, type: 'Admin', name: 'root' });
    });
  });

  describe('a failed API call (PutBucketPolicy, AccessDenied)', () => {
    it('is a Failure, Informational even for a bucket exposure call, with the error mapped', () => {
      // Prepare
      const event = loadFixture(FAILED_CALL);
      const errorMessage =
        'User: arn:aws:sts::111122223333:assumed-role/ReadOnly/erin is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::riposte-demo-reports-111122223333" because no identity-based policy allows the s3:PutBucketPolicy action';

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf).toMatchObject({
        activity_id: 1,
        status_id: 2,
        status: 'Failure',
        status_code: 'AccessDenied',
        status_detail: errorMessage,
        severity_id: 1,
        message: 's3.amazonaws.com PutBucketPolicy failed: AccessDenied',
        cloud: { region: 'eu-central-1' },
      });
      expect(alert.ocsf.api?.response).toEqual({ error: 'AccessDenied', message: errorMessage });
      expect(alert.ocsf.metadata.labels).toBeUndefined();
    });

    it("takes resources from CloudTrail's own resources[]", () => {
      // Prepare
      const event = loadFixture(FAILED_CALL);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.resources).toEqual([
        {
          uid: 'arn:aws:s3:::riposte-demo-reports-111122223333',
          type: 'AWS::S3::Bucket',
          region: 'eu-central-1',
        },
      ]);
    });

    it('is Medium bucket exposure when the same call succeeds', () => {
      // Prepare
      const event = loadFixture(FAILED_CALL);
      set(event, 'detail.errorCode', undefined);
      set(event, 'detail.errorMessage', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.ocsf.status_id).toBe(1);
      expect(alert.ocsf.severity_id).toBe(3);
      expect(alert.ocsf.metadata.labels).toEqual(['signal:bucket-exposure']);
      expect(alert.ocsf.api?.response).toBeUndefined();
    });
  });

  describe('alert id', () => {
    it('is keyed on eventID: a re-delivery matches, another event does not', () => {
      // Prepare
      const original = loadFixture(STOP_LOGGING);
      const redelivery = set(
        set(loadFixture(STOP_LOGGING), 'id', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'),
        'time',
        '2025-03-20T03:00:00Z',
      );
      const another = set(
        loadFixture(STOP_LOGGING),
        'detail.eventID',
        '0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e',
      );

      // Act
      const [first, second, third] = [original, redelivery, another].map(alertFrom);

      // Assess
      expect(second?.id).toBe(first?.id);
      expect(third?.id).not.toBe(first?.id);
    });

    it('falls back to the envelope id when the record has no eventID', () => {
      // Prepare
      const event = set(loadFixture(STOP_LOGGING), 'detail.eventID', undefined);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.id).toBe(alertIdFor('cloudtrail:3e5a7c9e-1b3d-4f5a-7c9e-1b3d5f7a9c1e'));
      expect(alert.ocsf.metadata.uid).toBe('3e5a7c9e-1b3d-4f5a-7c9e-1b3d5f7a9c1e');
    });
  });

  describe('bad input', () => {
    it.each([
      [
        'no userIdentity',
        'detail.userIdentity',
        undefined,
        'missing_field',
        'detail.userIdentity: is required',
      ],
      [
        'userIdentity a string',
        'detail.userIdentity',
        'mallory',
        'invalid_field',
        'detail.userIdentity: must be an object',
      ],
      ['no eventName', 'detail.eventName', undefined, 'missing_field', 'detail.eventName: is required'],
      ['no eventSource', 'detail.eventSource', undefined, 'missing_field', 'detail.eventSource: is required'],
    ])('%s → %s', (_label, path, value, reason, message) => {
      // Prepare
      const event = set(loadFixture(STOP_LOGGING), path, value);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({ reason, message });
    });

    it('refuses a record with neither eventID nor envelope id', () => {
      // Prepare
      const event = set(set(loadFixture(STOP_LOGGING), 'detail.eventID', undefined), 'id', undefined);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({ reason: 'missing_field', message: 'detail.eventID: is required' });
    });
  });
});

describe('AWS Console Sign In via CloudTrail → Authentication 3002', () => {
  it('maps a root sign-in with MFA: High, Success, Admin user', () => {
    // Prepare
    const event = loadFixture(ROOT_SIGN_IN);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.id).toBe(alertIdFor('cloudtrail:b3d5f7a9-c1e3-4b5d-7f9a-c1e3b5d7f9a1'));
    expect(alert.source).toBe('aws.signin');
    expect(alert.ocsf).toMatchObject({
      class_uid: 3002,
      class_name: 'Authentication',
      category_uid: 3,
      activity_id: 1,
      activity_name: 'Logon',
      type_uid: 300201,
      type_name: 'Authentication: Logon',
      severity_id: 4,
      status_id: 1,
      status: 'Success',
      is_mfa: true,
      time: Date.parse('2025-02-11T06:02:15Z'),
      message: 'Console sign-in success by the root user',
      src_endpoint: { ip: '198.51.100.201' },
      http_request: { user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
      dst_endpoint: {
        svc_name:
          'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_0123456789abcdef',
      },
    });
    expect(alert.ocsf.user).toEqual({
      type_id: 2,
      type: 'Admin',
      uid: 'arn:aws:iam::111122223333:root',
      name: 'root',
      account: ACCOUNT,
    });
    expect(alert.ocsf.metadata).toMatchObject({
      uid: 'b3d5f7a9-c1e3-4b5d-7f9a-c1e3b5d7f9a1',
      labels: ['signal:root-sign-in'],
    });
    expect(alert.ocsf.unmapped).toMatchObject({ additionalEventData: { MFAIdentifier: expect.any(String) } });
  });

  it('maps a failed IAM user sign-in without MFA: Low, Failure, with the error', () => {
    // Prepare
    const event = loadFixture(FAILED_SIGN_IN);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf).toMatchObject({
      class_uid: 3002,
      type_uid: 300201,
      severity_id: 2,
      status_id: 2,
      status: 'Failure',
      status_detail: 'Failed authentication',
      is_mfa: false,
      message: 'Console sign-in failure by frank without MFA',
      cloud: { region: 'eu-west-1', account: ACCOUNT },
    });
    expect(alert.ocsf.user).toEqual({
      type_id: 1,
      type: 'User',
      uid: 'AIDARIPOSTEDEMOUSER05',
      name: 'frank',
      account: ACCOUNT,
    });
    expect(alert.ocsf.metadata.labels).toEqual(['signal:sign-in-failure']);
  });

  it('names the sign-in service, which Authentication needs when there is no LoginTo', () => {
    // Prepare
    const event = set(loadFixture(FAILED_SIGN_IN), 'detail.additionalEventData', undefined);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.service).toEqual({ name: 'signin.amazonaws.com' });
    expect(alert.ocsf.dst_endpoint).toBeUndefined();
  });

  it('leaves src_endpoint out rather than empty when the sign-in has no sourceIPAddress', () => {
    // Prepare
    const event = set(loadFixture(FAILED_SIGN_IN), 'detail.sourceIPAddress', undefined);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf).not.toHaveProperty('src_endpoint');
  });

  it('has an Unknown status when the outcome is missing', () => {
    // Prepare
    const event = set(loadFixture(FAILED_SIGN_IN), 'detail.responseElements', null);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.status_id).toBe(0);
    expect(alert.ocsf.status).toBe('Unknown');
    expect(alert.ocsf.message).toBe('Console sign-in attempt by frank without MFA');
  });

  it('treats other sign-in events (CheckMfa) as API activity on signin.amazonaws.com', () => {
    // Prepare
    const event = set(loadFixture(FAILED_SIGN_IN), 'detail.eventName', 'CheckMfa');

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.class_uid).toBe(6003);
    expect(alert.ocsf.api?.operation).toBe('CheckMfa');
    expect(alert.ocsf.api?.service?.name).toBe('signin.amazonaws.com');
    expect(alert.ocsf.activity_id).toBe(2);
  });

  it('keeps the same alert for a re-delivery', () => {
    // Prepare
    const original = loadFixture(ROOT_SIGN_IN);
    const redelivery = set(loadFixture(ROOT_SIGN_IN), 'id', '99999999-8888-4777-8666-555555555555');

    // Act
    const [first, second] = [original, redelivery].map(alertFrom);

    // Assess
    expect(second?.id).toBe(first?.id);
  });
});

describe('apiActivityFor (the verb that opens eventName)', () => {
  it.each([
    ['CreateAccessKey', 1],
    ['RunInstances', 1],
    ['PutBucketPolicy', 1],
    ['AttachRolePolicy', 1],
    ['AuthorizeSecurityGroupIngress', 1],
    ['GetObject', 2],
    ['ListBuckets', 2],
    ['DescribeInstances', 2],
    ['BatchGetItem', 2],
    ['UpdateTrail', 3],
    ['ModifyInstanceAttribute', 3],
    ['StopLogging', 3],
    ['DeleteTrail', 4],
    ['RevokeSecurityGroupIngress', 4],
    ['DetachRolePolicy', 4],
    ['ConsoleLogin', 99],
    ['AssumeRole', 99],
    ['ArchiveFindings', 99],
  ])('%s → %i', (eventName, expected) => {
    // Prepare: nothing beyond the name

    // Act
    const result = apiActivityFor(eventName);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('sourceEndpoint (sourceIPAddress is not always an IP)', () => {
  it.each([
    ['192.0.2.10', { ip: '192.0.2.10' }],
    ['2001:db8::1', { ip: '2001:db8::1' }],
    ['AWS Internal', { domain: 'AWS Internal' }],
    ['signin.amazonaws.com', { domain: 'signin.amazonaws.com' }],
    ['00.000.000.000', { domain: '00.000.000.000' }],
    ['', {}],
    [undefined, {}],
  ])('%j → %j', (value, expected) => {
    // Prepare: nothing beyond the value

    // Act
    const result = sourceEndpoint(value);

    // Assess
    expect(result).toEqual(expected);
  });
});

describe('userFromIdentity', () => {
  it('maps an AWS service identity to a Service user named after the service', () => {
    // Prepare
    const identity = { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' };

    // Act
    const user = userFromIdentity(identity);

    // Assess
    expect(user).toEqual({ type_id: 4, type: 'Service', name: 'ec2.amazonaws.com' });
  });

  it.each([
    ['an assumed role', 'arn:aws:sts::111122223333:assumed-role/Developer/carol', 'carol'],
    ['a federated user', 'arn:aws:sts::111122223333:federated-user/dana', 'dana'],
  ])('names %s after its session, not its issuer', (_label, arn, name) => {
    // Prepare
    const identity = {
      type: arn.includes('federated') ? 'FederatedUser' : 'AssumedRole',
      arn,
      sessionContext: {
        sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Developer', userName: 'Developer' },
      },
    };

    // Act
    const user = userFromIdentity(identity);

    // Assess
    expect(user.name).toBe(name);
  });

  it('names an assumed role without ARN after the session in its principalId', () => {
    // Prepare
    const identity = { type: 'AssumedRole', principalId: 'AROARIPOSTEDEVROLE001:carol' };

    // Act
    const user = userFromIdentity(identity);

    // Assess
    expect(user).toEqual({
      type_id: 99,
      type: 'AssumedRole',
      uid: 'AROARIPOSTEDEVROLE001:carol',
      name: 'carol',
    });
  });

  it('reads the identity type from its own table only (not Object.prototype)', () => {
    // Prepare
    const identity = { type: 'constructor', principalId: 'AIDAEXAMPLE' };

    // Act
    const user = userFromIdentity(identity);

    // Assess
    expect(user).toStrictEqual({ type_id: 99, type: 'constructor', uid: 'AIDAEXAMPLE' });
  });

  it('keeps an unknown identity type as Other with its own name', () => {
    // Prepare
    const identity = { type: 'WebIdentityUser', principalId: 'accounts.example.com:app:user-1' };

    // Act
    const user = userFromIdentity(identity);

    // Assess
    expect(user).toEqual({ type_id: 99, type: 'WebIdentityUser', uid: 'accounts.example.com:app:user-1' });
  });
});

describe('cloudTrailSignal (the severity policy)', () => {
  it('rates a failed call Informational whatever the call', () => {
    // Prepare
    const detail = { requestParameters: { name: 'trail' } };

    // Act
    const signal = cloudTrailSignal(detail, 'StopLogging', { type: 'Root' }, 'AccessDenied');

    // Assess
    expect(signal).toEqual({ severityId: 1 });
  });

  it.each(['DeleteTrail', 'UpdateTrail', 'PutEventSelectors'])(
    'rates %s as trail tampering (High)',
    (eventName) => {
      // Prepare
      const detail = { requestParameters: { name: 'org-trail' } };

      // Act
      const signal = cloudTrailSignal(detail, eventName, { type: 'IAMUser' }, undefined);

      // Assess
      expect(signal).toEqual({
        severityId: 4,
        label: 'signal:cloudtrail-tampering',
        message: `CloudTrail ${eventName} on org-trail`,
      });
    },
  );
});

describe('KMS keys made unusable and snapshots shared with everyone', () => {
  const KMS_SCHEDULE = 'cloudtrail/api-call-kms-schedulekeydeletion.json';

  it('rates ScheduleKeyDeletion High, with the key CloudTrail lists as resource', () => {
    // Act
    const alert = alertFrom(loadFixture(KMS_SCHEDULE));

    // Assess
    expect(alert.ocsf).toMatchObject({
      severity_id: 4,
      message: 'KMS ScheduleKeyDeletion on 1234abcd-12ab-34cd-56ef-1234567890ab',
      api: { operation: 'ScheduleKeyDeletion', service: { name: 'kms.amazonaws.com' } },
      resources: [
        {
          type: 'AWS::KMS::Key',
          uid: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
      ],
    });
    expect(alert.ocsf.metadata.labels).toEqual(['signal:kms-key-disabled']);
  });

  it.each([
    [
      'ModifySnapshotAttribute',
      {
        snapshotId: 'snap-0a1b2c3d4e5f60718',
        attributeType: 'CREATE_VOLUME_PERMISSION',
        createVolumePermission: { add: { items: [{ group: 'all' }] } },
      },
      { type: 'AWS::EC2::Snapshot', uid: 'snap-0a1b2c3d4e5f60718' },
    ],
    [
      'ModifyImageAttribute',
      {
        imageId: 'ami-0a1b2c3d4e5f60718',
        attributeType: 'launchPermission',
        launchPermission: { add: { items: [{ group: 'all' }] } },
      },
      { type: 'AWS::EC2::Image', uid: 'ami-0a1b2c3d4e5f60718' },
    ],
    [
      'ModifyDBSnapshotAttribute',
      { dBSnapshotIdentifier: 'orders-nightly', attributeName: 'restore', valuesToAdd: ['all'] },
      { type: 'AWS::RDS::DBSnapshot', uid: 'orders-nightly' },
    ],
  ])('rates %s granting "all" High, on the shared resource', (eventName, requestParameters, resource) => {
    // Prepare
    let event = set(loadFixture(KMS_SCHEDULE), 'detail.eventName', eventName);
    event = set(event, 'detail.requestParameters', requestParameters);
    event = set(event, 'detail.resources', []);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.severity_id).toBe(4);
    expect(alert.ocsf.metadata.labels).toEqual(['signal:public-share']);
    expect(alert.ocsf.resources).toEqual([expect.objectContaining(resource)]);
  });

  it('leaves a snapshot shared with one account Informational', () => {
    // Prepare
    let event = set(loadFixture(KMS_SCHEDULE), 'detail.eventName', 'ModifySnapshotAttribute');
    event = set(event, 'detail.requestParameters', {
      snapshotId: 'snap-0a1b2c3d4e5f60718',
      createVolumePermission: { add: { items: [{ userId: '444455556666' }] } },
    });

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.severity_id).toBe(1);
    expect(alert.ocsf.metadata.labels).toBeUndefined();
  });
});
