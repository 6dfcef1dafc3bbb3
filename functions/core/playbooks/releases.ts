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
  // The caller kms-key-deletion-scheduled contained; the key itself is never put back.
  'AWS::KMS::Key': 'kms-key-deletion-release',
  'AWS::Lambda::Function': 'lambda-function-release',
  'AWS::RDS::DBInstance': 'rds-instance-release',
};

/**
 * Containment playbooks whose changes their resource type's release does not undo, and their
 * own release: instance-credential-exfiltration changes an instance's metadata options for an
 * incident about a role (or an instance), which iam-credential-release and ec2-instance-release
 * know nothing of.
 *
 * @example
 * RELEASES_BY_PLAYBOOK['instance-credential-exfiltration']; // 'instance-credential-release'
 */
export const RELEASES_BY_PLAYBOOK: Readonly<Record<string, string>> = {
  'instance-credential-exfiltration': 'instance-credential-release',
  // The user exposed-access-key contained; the exposed key itself is never reactivated.
  'exposed-access-key': 'exposed-access-key-release',
  // The object's policy statement and tag, not the bucket's Block Public Access.
  's3-malware-object': 's3-malware-release',
};

/** Every release playbook: the operator may start these, and no containment. */
export const RELEASE_PLAYBOOK_IDS: ReadonlySet<string> = new Set([
  ...Object.values(RELEASE_PLAYBOOKS),
  ...Object.values(RELEASES_BY_PLAYBOOK),
]);

const OWN_RELEASES: ReadonlySet<string> = new Set(Object.values(RELEASES_BY_PLAYBOOK));

/**
 * The release playbook of an incident: the own release of the playbook that last worked on it
 * ({@link RELEASES_BY_PLAYBOOK}; that release itself when it ran last, so a second release finds
 * the same one), otherwise its resource type's; undefined when there is none.
 *
 * @example
 * releasePlaybookFor({ resourceType: 'AWS::IAM::Role', playbookId: 'instance-credential-exfiltration' }); // 'instance-credential-release'
 * releasePlaybookFor({ resourceType: 'AWS::IAM::Role', playbookId: 'iam-credential-compromise' }); // 'iam-credential-release'
 */
export function releasePlaybookFor(incident: {
  readonly resourceType: string;
  readonly playbookId?: string | undefined;
}): string | undefined {
  const { playbookId } = incident;
  if (playbookId !== undefined) {
    if (OWN_RELEASES.has(playbookId)) return playbookId;
    const own = RELEASES_BY_PLAYBOOK[playbookId];
    if (own !== undefined) return own;
  }
  return RELEASE_PLAYBOOKS[incident.resourceType];
}
