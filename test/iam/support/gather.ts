import { exampleWorld, scenario } from '../../../cli/local/testkit.ts';
import type { WorldData } from '../../../functions/core/actions/world/index.ts';
import type { Playbook } from '../../../functions/core/playbooks/sdk.ts';
import cloudTrailLogging from '../../../playbooks/cloudtrail-logging-disabled.ts';
import ec2Compromise from '../../../playbooks/ec2-instance-compromise.ts';
import ec2Release from '../../../playbooks/ec2-instance-release.ts';
import exposedAccessKey from '../../../playbooks/exposed-access-key.ts';
import exposedAccessKeyRelease from '../../../playbooks/exposed-access-key-release.ts';
import iamCompromise from '../../../playbooks/iam-credential-compromise.ts';
import iamRelease from '../../../playbooks/iam-credential-release.ts';
import instanceCredentials from '../../../playbooks/instance-credential-exfiltration.ts';
import instanceCredentialRelease from '../../../playbooks/instance-credential-release.ts';
import kmsRelease from '../../../playbooks/kms-key-deletion-release.ts';
import kmsDeletion from '../../../playbooks/kms-key-deletion-scheduled.ts';
import lambdaCompromise from '../../../playbooks/lambda-function-compromise.ts';
import lambdaRelease from '../../../playbooks/lambda-function-release.ts';
import publicSnapshotOrImage from '../../../playbooks/public-snapshot-or-image.ts';
import rdsExposure from '../../../playbooks/rds-instance-exposure.ts';
import rdsRelease from '../../../playbooks/rds-instance-release.ts';
import rootCredentialUse from '../../../playbooks/root-credential-use.ts';
import s3MalwareObject from '../../../playbooks/s3-malware-object.ts';
import s3MalwareRelease from '../../../playbooks/s3-malware-release.ts';
import s3PublicBucket from '../../../playbooks/s3-public-bucket.ts';
import s3Release from '../../../playbooks/s3-public-bucket-release.ts';
import securityGroupOpen from '../../../playbooks/security-group-open-to-world.ts';
import securityGroupRelease from '../../../playbooks/security-group-release.ts';
import {
  accessAnalyzerPublicBucket,
  consoleSignIn,
  guardDutyAccessKeyFinding,
  guardDutyInstanceFinding,
  guardDutyLambdaFinding,
  guardDutyRootCredentialUsage,
} from '../../support/events.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { guardDutyRdsLoginFinding, securityHubRdsControlFinding } from '../../support/rds-events.ts';
import { MEMBER, SECURITY } from './accounts.ts';
import type { RecordedCall } from './authorize.ts';
import { runAs, type TappedCall, tapped } from './tap.ts';

/**
 * The calls of the test kit's scenarios: every branch of every shipped playbook and release,
 * once with the incident in the security account and once in a member account. Each call is
 * attributed to the function that makes it (the family of the action, `ingest`...) and to the
 * account it acts in.
 */

export interface GatheredCall extends RecordedCall {
  /** The function whose role makes the call: an action family, `ingest`, `approval`... */
  readonly principal: string;
  /** The world after the scenario (the resources' tags). */
  readonly world: WorldData;
  /** The world before it. */
  readonly initial?: WorldData;
}

interface Case {
  readonly name: string;
  readonly playbook: Playbook;
  readonly event: (account: string) => unknown;
  readonly release?: Playbook;
  readonly deny?: boolean;
  readonly edit?: (world: WorldData) => void;
  readonly fail?: readonly [string, string, number];
  /** Deployment configuration (cdk.json `riposte`) of the scenario. */
  readonly config?: unknown;
}

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const OPEN_GROUP = 'sg-0c4e6a8b2d1f3e5a7';

/** The CloudTrail call that opened the reporting group to the internet, in `account`. */
function worldOpenIngress(account: string): unknown {
  return fixtureIn('cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json', account);
}

/** The world-open call made through a session of the role ci-deployer. */
function worldOpenIngressByRole(account: string): unknown {
  return fixtureIn('cloudtrail/api-call-ec2-authorize-sg-ingress-world-open.json', account, [
    'Developer',
    'ci-deployer',
  ]);
}

/** The world-open call made by the IAM user payments-deployer with its long-term key. */
function worldOpenIngressByUser(account: string): unknown {
  const event = worldOpenIngress(account) as { detail: { userIdentity: unknown } };
  const disable = fixtureIn('cloudtrail/api-call-kms-disablekey.json', account) as typeof event;
  event.detail.userIdentity = disable.detail.userIdentity;
  return event;
}

/** A fixture event moved to `account`, with `replace` applied to its text (`from` → `to`). */
function fixtureIn(path: string, account: string, ...replace: (readonly [string, string])[]): unknown {
  let text = JSON.stringify(loadFixture(path)).replaceAll('111122223333', account);
  for (const [from, to] of replace) text = text.replaceAll(from, to);
  return JSON.parse(text);
}

const PUBLIC_SNAPSHOT_CALL = 'cloudtrail/api-call-ec2-modifysnapshotattribute-public.json';
const PUBLIC_DB_SNAPSHOT_CALL = 'cloudtrail/api-call-rds-modifydbsnapshotattribute-public.json';
/** The snapshot call turned into the AMI's (same request shape, `launchPermission`). */
const AS_IMAGE = [
  ['ModifySnapshotAttribute', 'ModifyImageAttribute'],
  ['"snapshotId":"snap-0e1f2a3b4c5d6e7f8"', '"imageId":"ami-0f1e2d3c4b5a69788"'],
  ['createVolumePermission', 'launchPermission'],
] as const;
/** The DB snapshot call turned into the cluster snapshot's. */
const AS_CLUSTER = [
  ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'],
  [
    '"dBSnapshotIdentifier":"payments-db-before-migration"',
    '"dBClusterSnapshotIdentifier":"ledger-cluster-2025-04-08"',
  ],
] as const;
/** The RDS.1 control turned into EC2.1, which reports the account. */
const AS_EC2_1 = [
  ['RDS.1', 'EC2.1'],
  ['"Type":"AwsRdsDbSnapshot"', '"Type":"AwsAccount"'],
  ['arn:aws:rds:eu-west-1:ACCOUNT:snapshot:payments-db-before-migration', 'AWS::::Account:ACCOUNT'],
] as const;
const KMS_KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MALWARE_FOUND = 'guardduty/malware-protection-s3-object-threats-found.json';

/** The scan result of an object of an unversioned bucket: no version id. */
function unversioned(event: unknown): unknown {
  const copy = structuredClone(event) as { detail: { s3ObjectDetails: Record<string, unknown> } };
  delete copy.detail.s3ObjectDetails.versionId;
  return copy;
}

const NO_BLOCK = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

/** Every branch of the shipped playbooks: contain and release, refusals, denials, failures. */
export const CASES: readonly Case[] = [
  {
    name: 'isolate then release an instance',
    playbook: ec2Compromise,
    release: ec2Release,
    event: (account) => guardDutyInstanceFinding({ instanceId: INSTANCE, account }),
  },
  {
    name: 'isolation denied',
    playbook: ec2Compromise,
    deny: true,
    event: (account) => guardDutyInstanceFinding({ instanceId: INSTANCE, account }),
  },
  {
    name: 'protected instance',
    playbook: ec2Compromise,
    event: (account) => guardDutyInstanceFinding({ instanceId: 'i-0badc0ffee0000001', account }),
  },
  {
    name: 'staging instance, no approval',
    playbook: ec2Compromise,
    event: (account) => guardDutyInstanceFinding({ instanceId: INSTANCE, account }),
    edit: (world) => {
      const instance = world.ec2.instances.find((i) => i.instanceId === INSTANCE);
      if (instance !== undefined) instance.tags.environment = 'staging';
    },
  },
  {
    name: 'isolation fails',
    playbook: ec2Compromise,
    fail: ['isolate-instance', 'PartialFailureError', 99],
    event: (account) => guardDutyInstanceFinding({ instanceId: INSTANCE, account }),
  },
  {
    name: 'release without containment',
    playbook: ec2Release,
    event: (account) => guardDutyInstanceFinding({ instanceId: INSTANCE, account }),
  },
  {
    name: 'contain then release a user',
    playbook: iamCompromise,
    release: iamRelease,
    event: (account) => guardDutyAccessKeyFinding({ account }),
  },
  {
    name: 'revoke then release role sessions',
    playbook: iamCompromise,
    release: iamRelease,
    event: (account) =>
      guardDutyAccessKeyFinding({ userType: 'AssumedRole', userName: 'payments-app-role', account }),
  },
  {
    name: 'protected user',
    playbook: iamCompromise,
    event: (account) =>
      guardDutyAccessKeyFinding({
        userName: 'break-glass-admin',
        accessKeyId: 'AKIABREAKGLASSKEY001',
        account,
      }),
  },
  {
    name: 'user containment fails',
    playbook: iamCompromise,
    fail: ['contain-iam-user', 'Throttling', 99],
    event: (account) => guardDutyAccessKeyFinding({ account }),
  },
  {
    name: 'instance credentials: revoke, require IMDSv2, then release',
    playbook: instanceCredentials,
    release: instanceCredentialRelease,
    event: (account) =>
      guardDutyAccessKeyFinding({
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        userType: 'AssumedRole',
        account,
      }),
  },
  {
    name: 'metadata DNS rebinding: require IMDSv2, revoke the instance role, then release',
    playbook: instanceCredentials,
    release: instanceCredentialRelease,
    event: (account) =>
      guardDutyInstanceFinding({
        instanceId: INSTANCE,
        type: 'UnauthorizedAccess:EC2/MetadataDNSRebind',
        account,
      }),
  },
  {
    name: 'instance credentials: IMDSv2 denied',
    playbook: instanceCredentials,
    deny: true,
    event: (account) =>
      guardDutyAccessKeyFinding({
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
        userType: 'AssumedRole',
        account,
      }),
  },
  {
    name: 'block a public bucket',
    playbook: s3PublicBucket,
    event: (account) => accessAnalyzerPublicBucket({ bucket: 'payments-exports', account }),
  },
  {
    name: 'protected bucket',
    playbook: s3PublicBucket,
    event: (account) => accessAnalyzerPublicBucket({ bucket: 'riposte-protected-logs', account }),
  },
  {
    name: 'block then release a bucket',
    playbook: s3PublicBucket,
    release: s3Release,
    event: (account) => accessAnalyzerPublicBucket({ bucket: 'payments-exports', account }),
  },
  {
    name: 'block then release a bucket that had its own settings',
    playbook: s3PublicBucket,
    release: s3Release,
    event: (account) => accessAnalyzerPublicBucket({ bucket: 'payments-exports', account }),
    edit: (world) => {
      const bucket = world.s3.buckets['payments-exports'];
      if (bucket !== undefined) bucket.publicAccessBlock = { ...NO_BLOCK, blockPublicAcls: true };
    },
  },
  {
    name: 'revoke then release world-open ingress',
    playbook: securityGroupOpen,
    release: securityGroupRelease,
    event: worldOpenIngress,
  },
  {
    name: 'world-open group used by a production instance, approved',
    playbook: securityGroupOpen,
    event: worldOpenIngress,
    edit: (world) => {
      world.ec2.networkInterfaces
        .find((e) => e.networkInterfaceId === 'eni-0a1b2c3d4e5f60003')
        ?.groups.push(OPEN_GROUP);
    },
  },
  {
    name: 'world-open untagged group denied',
    playbook: securityGroupOpen,
    deny: true,
    event: worldOpenIngress,
    edit: (world) => {
      const group = world.ec2.securityGroups.find((g) => g.groupId === OPEN_GROUP);
      if (group !== undefined) group.tags = {};
    },
  },
  {
    name: 'protected world-open group',
    playbook: securityGroupOpen,
    event: worldOpenIngress,
    edit: (world) => {
      const group = world.ec2.securityGroups.find((g) => g.groupId === OPEN_GROUP);
      if (group !== undefined) group.tags['riposte:protected'] = 'true';
    },
  },
  {
    name: 'revoke world-open ingress, revoke then release the calling role',
    playbook: securityGroupOpen,
    release: securityGroupRelease,
    event: worldOpenIngressByRole,
  },
  {
    name: 'revoke world-open ingress, contain then release the calling user',
    playbook: securityGroupOpen,
    release: securityGroupRelease,
    event: worldOpenIngressByUser,
  },
  {
    name: 'world-open ingress revoked, containment of the caller denied, released',
    playbook: securityGroupOpen,
    release: securityGroupRelease,
    deny: true,
    event: worldOpenIngressByRole,
  },
  {
    name: 'security group release without containment',
    playbook: securityGroupRelease,
    event: worldOpenIngress,
  },
  {
    name: 'throttle then release a production Lambda function',
    playbook: lambdaCompromise,
    release: lambdaRelease,
    event: (account) => guardDutyLambdaFinding({ account }),
  },
  {
    name: 'throttle then release a Lambda function that had reserved concurrency',
    playbook: lambdaCompromise,
    release: lambdaRelease,
    event: (account) => guardDutyLambdaFinding({ functionName: 'thumbnail-builder', account }),
  },
  {
    name: 'Lambda throttling denied',
    playbook: lambdaCompromise,
    deny: true,
    event: (account) => guardDutyLambdaFinding({ account }),
  },
  {
    name: 'Lambda function with a protected execution role',
    playbook: lambdaCompromise,
    release: lambdaRelease,
    event: (account) => guardDutyLambdaFinding({ functionName: 'ledger-sync', account }),
  },
  {
    name: 'protected Lambda function',
    playbook: lambdaCompromise,
    event: (account) => guardDutyLambdaFinding({ functionName: 'audit-forwarder', account }),
  },
  {
    name: 'Lambda release without containment',
    playbook: lambdaRelease,
    event: (account) => guardDutyLambdaFinding({ account }),
  },
  {
    name: 'root console sign-in: page with the runbook',
    playbook: rootCredentialUse,
    event: (account) => consoleSignIn({ root: true, account }),
  },
  {
    name: 'root credential usage: page with the runbook',
    playbook: rootCredentialUse,
    config: { sources: { guardduty: { minSeverity: 2 } } },
    event: (account) => guardDutyRootCredentialUsage({ account }),
  },
  {
    name: 'unshare a public EBS snapshot',
    playbook: publicSnapshotOrImage,
    event: (account) => fixtureIn(PUBLIC_SNAPSHOT_CALL, account),
  },
  {
    name: 'unshare a public AMI',
    playbook: publicSnapshotOrImage,
    event: (account) => fixtureIn(PUBLIC_SNAPSHOT_CALL, account, ...AS_IMAGE),
  },
  {
    name: 'unshare a public DB snapshot',
    playbook: publicSnapshotOrImage,
    event: (account) => fixtureIn(PUBLIC_DB_SNAPSHOT_CALL, account),
  },
  {
    name: 'unshare a public DB cluster snapshot',
    playbook: publicSnapshotOrImage,
    event: (account) => fixtureIn(PUBLIC_DB_SNAPSHOT_CALL, account, ...AS_CLUSTER),
  },
  {
    name: 'EC2.1: unshare the public snapshots of the account',
    playbook: publicSnapshotOrImage,
    event: (account) =>
      fixtureIn(
        'securityhub/imported-control-rds-1-public-db-snapshot.json',
        account,
        ...AS_EC2_1.map(
          ([from, to]) => [from.replace('ACCOUNT', account), to.replace('ACCOUNT', account)] as const,
        ),
      ),
  },
  {
    name: 'protected public EBS snapshot',
    playbook: publicSnapshotOrImage,
    event: (account) => fixtureIn(PUBLIC_SNAPSHOT_CALL, account),
    edit: (world) => {
      const snapshot = world.ec2.snapshots.find((s) => s.snapshotId === 'snap-0e1f2a3b4c5d6e7f8');
      if (snapshot !== undefined) snapshot.tags['riposte:protected'] = 'true';
    },
  },
  {
    name: 'snapshot and restrict then release a production DB instance',
    playbook: rdsExposure,
    release: rdsRelease,
    event: (account) => guardDutyRdsLoginFinding({ account }),
  },
  {
    name: 'restrict a staging DB instance (RDS.2) then release it',
    playbook: rdsExposure,
    release: rdsRelease,
    event: (account) => securityHubRdsControlFinding({ dbInstance: 'reports-db', account }),
  },
  {
    name: 'DB instance restriction denied',
    playbook: rdsExposure,
    deny: true,
    event: (account) => guardDutyRdsLoginFinding({ account }),
  },
  {
    name: 'protected DB instance',
    playbook: rdsExposure,
    event: (account) => guardDutyRdsLoginFinding({ dbInstance: 'ledger-db', account }),
  },
  {
    name: 'Aurora cluster member',
    playbook: rdsExposure,
    event: (account) => guardDutyRdsLoginFinding({ dbInstance: 'analytics-aurora-1', account }),
  },
  {
    name: 'DB instance release without containment',
    playbook: rdsRelease,
    event: (account) => guardDutyRdsLoginFinding({ account }),
  },
  {
    name: 'restore a KMS key scheduled for deletion, revoke then release the calling role',
    playbook: kmsDeletion,
    release: kmsRelease,
    event: (account) => fixtureIn('cloudtrail/api-call-kms-schedulekeydeletion.json', account),
  },
  {
    name: 'enable a disabled KMS key, contain then release the calling user',
    playbook: kmsDeletion,
    release: kmsRelease,
    event: (account) => fixtureIn('cloudtrail/api-call-kms-disablekey.json', account),
    edit: (world) => {
      const key = world.kms.keys[KMS_KEY];
      if (key !== undefined) {
        key.keyState = 'Disabled';
        delete key.deletionDate;
      }
    },
  },
  {
    name: 'KMS key restored, containment of the caller denied',
    playbook: kmsDeletion,
    deny: true,
    event: (account) => fixtureIn('cloudtrail/api-call-kms-schedulekeydeletion.json', account),
  },
  {
    name: 'restart a stopped trail, contain the calling user',
    playbook: cloudTrailLogging,
    event: (account) => fixtureIn('cloudtrail/api-call-cloudtrail-stoplogging.json', account),
  },
  {
    name: 'restore reduced event selectors, revoke the calling role',
    playbook: cloudTrailLogging,
    event: (account) => fixtureIn('cloudtrail/api-call-cloudtrail-puteventselectors.json', account),
  },
  {
    name: 'deleted trail reported, containment of the caller denied',
    playbook: cloudTrailLogging,
    deny: true,
    event: (account) => fixtureIn('cloudtrail/api-call-cloudtrail-deletetrail.json', account),
  },
  {
    name: 'deactivate an exposed access key, read its activity, contain then release its user',
    playbook: exposedAccessKey,
    release: exposedAccessKeyRelease,
    event: (account) => fixtureIn('health/risk-credentials-exposed.json', account),
  },
  {
    name: 'exposed access key deactivated, containment of its user denied',
    playbook: exposedAccessKey,
    deny: true,
    event: (account) => fixtureIn('health/risk-credentials-exposed.json', account),
  },
  {
    name: 'exposed access key not found in the account',
    playbook: exposedAccessKey,
    event: (account) => fixtureIn('health/risk-credentials-exposed.json', account),
    edit: (world) => {
      delete world.iam.users['ci-deployer'];
    },
  },
  {
    name: 'bucket release without containment',
    playbook: s3Release,
    event: (account) => accessAnalyzerPublicBucket({ bucket: 'payments-exports', account }),
  },
  {
    name: 'quarantine then release a malicious S3 object version',
    playbook: s3MalwareObject,
    release: s3MalwareRelease,
    event: (account) => fixtureIn(MALWARE_FOUND, account),
  },
  {
    name: 'quarantine then release a malicious object of a bucket without a policy (policy deleted on release)',
    playbook: s3MalwareObject,
    release: s3MalwareRelease,
    event: (account) => fixtureIn(MALWARE_FOUND, account),
    edit: (world) => {
      const bucket = world.s3.buckets['riposte-demo-uploads'];
      if (bucket !== undefined) delete bucket.policy;
      const versions = bucket?.objects['incoming/invoices/2025-08/invoice-4471.pdf.exe'];
      if (versions?.[0] !== undefined) versions[0].tags = {};
    },
  },
  {
    name: 'quarantine then release an untagged malicious object of an unversioned bucket (tags deleted on release)',
    playbook: s3MalwareObject,
    release: s3MalwareRelease,
    event: (account) => unversioned(fixtureIn(MALWARE_FOUND, account)),
    edit: (world) => {
      const bucket = world.s3.buckets['riposte-demo-uploads'];
      const versions = bucket?.objects['incoming/invoices/2025-08/invoice-4471.pdf.exe'];
      if (versions?.[0] !== undefined) versions[0] = { versionId: 'null', tags: {} };
    },
  },
  {
    name: 'S3 object release without containment',
    playbook: s3MalwareRelease,
    event: (account) => fixtureIn(MALWARE_FOUND, account),
  },
];

/** The example world, moved to `account` (its ids and ARNs). */
function worldIn(account: string): WorldData {
  return JSON.parse(JSON.stringify(exampleWorld()).replaceAll(SECURITY.account, account)) as WorldData;
}

// Scenarios invoke no Riposte function through the SDK: their Lambda calls are on the incident's functions.
const RESOURCE_SERVICES = new Set([
  'ec2',
  'iam',
  'autoScaling',
  'elbv2',
  's3',
  'lambda',
  'rds',
  'kms',
  'cloudtrail',
]);

/** Runs every case in both accounts and returns every call, attributed. */
export async function gatherScenarioCalls(): Promise<GatheredCall[]> {
  const calls: GatheredCall[] = [];
  for (const account of [SECURITY.account, MEMBER.account]) {
    for (const c of CASES) {
      const first = tapped.length;
      let s = scenario(c.playbook).event(c.event(account)).world(worldIn(account));
      if (c.edit !== undefined) s = s.editWorld(c.edit);
      if (c.fail !== undefined) s = s.failAction(c.fail[0], c.fail[1], c.fail[2]);
      if (c.config !== undefined) s = s.configure(c.config);
      if (c.release !== undefined) s = s.andThen(c.release);
      s = c.deny === true ? s.deny() : s.approve();
      // Ingest runs in the scenario outside any action: its table calls are the ingest function's.
      const result = await runAs('ingest', 'ingest', () => s.run());
      const origin = (o: string) =>
        `${c.name} (${account === SECURITY.account ? 'security' : 'member'} account): ${o}`;
      for (const call of tapped.slice(first) as TappedCall[]) {
        if (
          call.service === 'dynamodb' &&
          call.api === 'Put' &&
          (call.params.Item as { taskTokenHash?: string })?.taskTokenHash === 'local'
        ) {
          continue; // the local engine's stand-in for the approval endpoint (evaluated on its own)
        }
        // Calls on the incident's resources act in its account; bookkeeping in the security account.
        const acting = RESOURCE_SERVICES.has(call.service) ? account : SECURITY.account;
        calls.push({
          ...call,
          origin: origin(call.origin),
          account: acting,
          region: SECURITY.region,
          world: result.world,
          initial: worldIn(account),
        });
      }
    }
  }
  return calls;
}
