import type { OcsfResource } from '../ocsf/schema.ts';

/**
 * One vocabulary for resources, whatever the channel: GuardDuty, Security Hub (ASFF `Type`
 * such as `AwsEc2Instance`) and Inspector (`AWS_EC2_INSTANCE`) all name the same instance
 * `AWS::EC2::Instance` with uid `i-…`. Incident grouping and playbook triggers rely on it: the
 * same instance reported natively and through Security Hub is one resource.
 *
 * Where a source gives an ARN and Riposte uses a shorter id, the ARN is kept in `uid_alt`.
 */
interface Canon {
  readonly type: string;
  /** How to get Riposte's uid from the source id: the ARN's last path segment, the name, or as is. */
  readonly uid: 'last-segment' | 'name' | 'as-is' | 'after-colon' | 'last-colon';
}

const CANON: Readonly<Record<string, Canon>> = {
  AwsEc2Instance: { type: 'AWS::EC2::Instance', uid: 'last-segment' },
  AWS_EC2_INSTANCE: { type: 'AWS::EC2::Instance', uid: 'last-segment' },
  AwsEc2Volume: { type: 'AWS::EC2::Volume', uid: 'last-segment' },
  AwsEc2SecurityGroup: { type: 'AWS::EC2::SecurityGroup', uid: 'last-segment' },
  AwsEc2NetworkInterface: { type: 'AWS::EC2::NetworkInterface', uid: 'last-segment' },
  AwsEc2Vpc: { type: 'AWS::EC2::VPC', uid: 'last-segment' },
  AwsEc2Subnet: { type: 'AWS::EC2::Subnet', uid: 'last-segment' },
  AwsIamAccessKey: { type: 'AWS::IAM::AccessKey', uid: 'after-colon' },
  AwsIamUser: { type: 'AWS::IAM::User', uid: 'name' },
  AwsIamRole: { type: 'AWS::IAM::Role', uid: 'name' },
  AwsS3Bucket: { type: 'AWS::S3::Bucket', uid: 'as-is' },
  AwsS3Object: { type: 'AWS::S3::Object', uid: 'as-is' },
  AwsLambdaFunction: { type: 'AWS::Lambda::Function', uid: 'as-is' },
  AWS_LAMBDA_FUNCTION: { type: 'AWS::Lambda::Function', uid: 'as-is' },
  AwsEksCluster: { type: 'AWS::EKS::Cluster', uid: 'as-is' },
  AwsEcrContainerImage: { type: 'AWS::ECR::ContainerImage', uid: 'as-is' },
  AWS_ECR_CONTAINER_IMAGE: { type: 'AWS::ECR::ContainerImage', uid: 'as-is' },
  AwsRdsDbInstance: { type: 'AWS::RDS::DBInstance', uid: 'as-is' },
  // `arn:aws:rds:<region>:<account>:snapshot:<name>`: the identifier, as CloudTrail names it.
  AwsRdsDbSnapshot: { type: 'AWS::RDS::DBSnapshot', uid: 'last-colon' },
  AwsRdsDbClusterSnapshot: { type: 'AWS::RDS::DBClusterSnapshot', uid: 'last-colon' },
  AwsEc2Snapshot: { type: 'AWS::EC2::Snapshot', uid: 'last-segment' },
  AwsEc2Image: { type: 'AWS::EC2::Image', uid: 'last-segment' },
  AwsCloudTrailTrail: { type: 'AWS::CloudTrail::Trail', uid: 'as-is' },
  AwsAccount: { type: 'AWS::Account', uid: 'after-colon' },
  // GuardDuty `ResourceV2.resourceType` (attack sequences: `service.detection.sequence.resources`).
  EC2_INSTANCE: { type: 'AWS::EC2::Instance', uid: 'last-segment' },
  EC2_NETWORK_INTERFACE: { type: 'AWS::EC2::NetworkInterface', uid: 'last-segment' },
  EC2_VPC: { type: 'AWS::EC2::VPC', uid: 'last-segment' },
  EC2_IMAGE: { type: 'AWS::EC2::Image', uid: 'last-segment' },
  EC2_LAUNCH_TEMPLATE: { type: 'AWS::EC2::LaunchTemplate', uid: 'last-segment' },
  S3_BUCKET: { type: 'AWS::S3::Bucket', uid: 'as-is' },
  S3_OBJECT: { type: 'AWS::S3::Object', uid: 'as-is' },
  ACCESS_KEY: { type: 'AWS::IAM::AccessKey', uid: 'after-colon' },
  IAM_INSTANCE_PROFILE: { type: 'AWS::IAM::InstanceProfile', uid: 'as-is' },
  EKS_CLUSTER: { type: 'AWS::EKS::Cluster', uid: 'as-is' },
  ECS_CLUSTER: { type: 'AWS::ECS::Cluster', uid: 'as-is' },
  ECS_TASK: { type: 'AWS::ECS::Task', uid: 'as-is' },
  AUTOSCALING_AUTO_SCALING_GROUP: { type: 'AWS::AutoScaling::AutoScalingGroup', uid: 'as-is' },
  CLOUDFORMATION_STACK: { type: 'AWS::CloudFormation::Stack', uid: 'as-is' },
};

/**
 * The canonical type and uid of a resource reported with a source-specific type and id.
 * Unknown types are returned unchanged.
 *
 * @example
 * canonicalResource({ type: 'AwsEc2Instance', uid: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc' })
 * // { type: 'AWS::EC2::Instance', uid: 'i-0abc', uid_alt: 'arn:aws:ec2:…:instance/i-0abc' }
 */
export function canonicalResource<R extends OcsfResource>(resource: R): R {
  // Own keys only: a type of "__proto__" or "constructor" must not find Object.prototype's.
  const canon =
    resource.type !== undefined && Object.hasOwn(CANON, resource.type) ? CANON[resource.type] : undefined;
  if (canon === undefined || resource.uid === undefined) {
    return canon === undefined ? resource : { ...resource, type: canon.type };
  }
  const source = resource.uid;
  let uid = source;
  if (canon.uid === 'last-segment') uid = source.split('/').pop() ?? source;
  else if (canon.uid === 'name')
    uid = source.startsWith('arn:') ? (source.split('/').pop() ?? source) : source;
  else if (canon.uid === 'last-colon') uid = source.split(':').pop() ?? source;
  else if (canon.uid === 'after-colon')
    uid = source.startsWith('arn:') ? source : (source.split(':').pop() ?? source);
  const name =
    resource.name ??
    (canon.type === 'AWS::S3::Bucket' && source.startsWith('arn:') ? source.split(':').pop() : undefined);
  return {
    ...resource,
    type: canon.type,
    uid,
    ...(uid === source ? {} : { uid_alt: source }),
    ...(name === undefined ? {} : { name }),
  };
}
