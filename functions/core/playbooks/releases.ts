/**
 * The release playbook of each resource type an incident can be about: what `riposte release`
 * and the console start, and the only playbooks the operator policy lets an analyst start.
 *
 * @example
 * RELEASE_PLAYBOOKS['AWS::EC2::Instance']; // 'ec2-instance-release'
 */
export const RELEASE_PLAYBOOKS: Readonly<Record<string, string>> = {
  'AWS::EC2::Instance': 'ec2-instance-release',
  'AWS::IAM::User': 'iam-credential-release',
  'AWS::IAM::Role': 'iam-credential-release',
  'AWS::S3::Bucket': 's3-public-bucket-release',
  'AWS::EC2::SecurityGroup': 'security-group-release',
  'AWS::Lambda::Function': 'lambda-function-release',
};
