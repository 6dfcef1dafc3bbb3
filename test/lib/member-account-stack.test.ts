import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { iamActionsOfFamily } from '../../functions/core/actions/registry.ts';
import { ACTION_FAMILIES } from '../../functions/core/actions/types.ts';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { RESOURCE_FAMILIES } from '../../lib/action-functions.ts';
import { RiposteMemberStack } from '../../lib/member-account-stack.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function synthMember(context: unknown = {}, outdir?: string) {
  const app = new App(outdir === undefined ? {} : { outdir });
  const stack = new RiposteMemberStack(app, 'RiposteMember', { config: parseConfig(context) });
  return { app, stack, template: Template.fromStack(stack) };
}

type Synth = ReturnType<typeof synthMember>;

function roleOf(s: Synth): { Properties: Record<string, unknown> } {
  const roles = Object.values(s.template.findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return roles[0] as { Properties: Record<string, unknown> };
}

function trustOf(s: Synth): Statement[] {
  return (roleOf(s).Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
}

/**
 * The role's statements: its two inline policies and, past IAM's inline size limit (10,240 characters
 * per role, test/lib/iam-quotas.test.ts), the `OverflowPolicy<n>` managed policies CDK splits the rest into, each attached to
 * this role only.
 */
function permissionsOf(s: Synth): Statement[] {
  const roleId = s.stack.getLogicalId(s.stack.role.node.defaultChild as CfnElement);
  // The role's default policy (its allows) and its DenyPolicy, both inline on the role.
  const policies = Object.values(s.template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(2);
  const overflow = Object.entries(s.template.findResources('AWS::IAM::ManagedPolicy'));
  for (const [id] of overflow) expect(id).toMatch(/^RoleOverflowPolicy\d+/);
  return [...policies, ...overflow.map(([, policy]) => policy)].flatMap((policy) => {
    expect(policy.Properties.Roles).toEqual([{ Ref: roleId }]);
    return policy.Properties.PolicyDocument.Statement as Statement[];
  });
}

/** An IAM ARN pattern (`*` any run of characters) as a regular expression. */
function arnPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** What the trust policy's exact `aws:PrincipalArn` values become for account 111122223333, eu-west-1, partition aws. */
function trustedPatterns(s: Synth): RegExp[] {
  const condition = trustOf(s)[0]?.Condition?.ArnEquals?.['aws:PrincipalArn'];
  return asList(condition as unknown[]).map((pattern) => {
    const join = (pattern as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const text = join[1]
      .map((part) => {
        if (typeof part === 'string') return part;
        const ref = (part as { Ref?: string }).Ref;
        if (ref === 'AWS::Partition') return 'aws';
        if (ref === 'SecurityAccountId') return '111122223333';
        if (ref === 'SecurityRegion') return 'eu-west-1';
        throw new Error(`unexpected token ${JSON.stringify(part)}`);
      })
      .join('');
    return arnPattern(text);
  });
}

const VARIANTS = ['true', ' true', 'true ', ' true '];
/** The protected-tag guard of the enrich, contain and release families, for riposte:protected=true. */
const GUARD = [
  {
    Sid: 'DenyProtectedTagIAM',
    Effect: 'Deny',
    Action: expect.arrayContaining(['iam:UpdateAccessKey', 'iam:PutRolePolicy', 'iam:DeleteLoginProfile']),
    Resource: '*',
    Condition: { StringEqualsIgnoreCase: { 'iam:ResourceTag/riposte:protected': VARIANTS } },
  },
  {
    Sid: 'DenyProtectedTagEC2',
    Effect: 'Deny',
    Action: expect.arrayContaining(['ec2:ModifyInstanceAttribute', 'ec2:CreateTags']),
    Resource: '*',
    Condition: { StringEqualsIgnoreCase: { 'ec2:ResourceTag/riposte:protected': VARIANTS } },
  },
  {
    Sid: 'DenyProtectedTagAWS',
    Effect: 'Deny',
    Action: expect.arrayContaining(['s3:PutBucketPublicAccessBlock', 'lambda:PutFunctionConcurrency']),
    Resource: '*',
    Condition: { StringEqualsIgnoreCase: { 'aws:ResourceTag/riposte:protected': VARIANTS } },
  },
];

describe('RiposteMemberStack', () => {
  it('takes the security account and Region, the organization and a required external id as parameters', () => {
    // Prepare / Act
    const plain = synthMember();
    const configured = synthMember({
      securityAccountId: '111122223333',
      memberRoleExternalId: 'riposte-ext-4242424242',
    });

    // Assess
    const parameters = plain.template.toJSON().Parameters;
    expect(Object.keys(parameters).sort()).toEqual([
      'ExternalId',
      'OrganizationId',
      'SecurityAccountId',
      'SecurityRegion',
    ]);
    expect(parameters.SecurityAccountId).toMatchObject({ Type: 'String', AllowedPattern: '^\\d{12}$' });
    expect(parameters.SecurityAccountId.Default).toBeUndefined();
    // The external id has no default, even when cdk.json names one: it is always passed in.
    for (const p of [parameters, configured.template.toJSON().Parameters]) {
      expect(p.ExternalId.Default).toBeUndefined();
      expect(p.ExternalId).toMatchObject({ Type: 'String', NoEcho: true });
      expect(new RegExp(p.ExternalId.AllowedPattern).test('')).toBe(false);
      expect(new RegExp(p.ExternalId.AllowedPattern).test('short')).toBe(false);
      expect(p.OrganizationId.Default).toBeUndefined();
      expect(p.SecurityRegion.Default).toBeUndefined();
    }
    expect(new RegExp(parameters.OrganizationId.AllowedPattern).test('o-a1b2c3d4e5')).toBe(true);
    expect(configured.template.toJSON().Parameters.SecurityAccountId).toMatchObject({
      Default: '111122223333',
    });
    // No CDK bootstrap in member accounts: no BootstrapVersion parameter, no rule.
    expect(plain.template.toJSON().Rules).toBeUndefined();
  });

  it('holds one role, named memberRoleName, with one-hour sessions and no managed policy but its own overflow', () => {
    // Prepare / Act
    const s = synthMember({ memberRoleName: 'SecOpsResponder' });

    // Assess
    // Past IAM's inline limit CDK moves the rest of its permissions into managed policies of its own
    // (attached to this role only: see permissionsOf); nothing else.
    const types = new Set(
      Object.values(s.template.toJSON().Resources).map((r) => (r as { Type: string }).Type),
    );
    expect(
      [...types].filter(
        (t) => !['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy', 'AWS::IAM::Role'].includes(t),
      ),
    ).toEqual([]);
    expect(permissionsOf(s).length).toBeGreaterThan(0);
    expect(roleOf(s).Properties).toMatchObject({ RoleName: 'SecOpsResponder', MaxSessionDuration: 3600 });
    expect(roleOf(s).Properties.ManagedPolicyArns).toBeUndefined();
    expect(roleOf(s).Properties.Policies).toBeUndefined();
  });

  it("trusts only the exact ARNs of the security account's enrich, contain and release roles, with the external id and the organization", () => {
    // Prepare / Act
    const s = synthMember();
    const trust = trustOf(s);

    // Assess
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: {
        AWS: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'SecurityAccountId' }, ':root'],
          ],
        },
      },
    });
    // No ArnLike, no pattern: three exact role ARNs, the external id and the organization, all required.
    expect(Object.keys(trust[0]?.Condition ?? {}).sort()).toEqual(['ArnEquals', 'StringEquals']);
    expect(trust[0]?.Condition?.StringEquals).toEqual({
      'sts:ExternalId': { Ref: 'ExternalId' },
      'aws:PrincipalOrgID': { Ref: 'OrganizationId' },
    });
    expect(JSON.stringify(trust)).not.toContain('*');
    expect(trustedPatterns(s).map(String)).toEqual([
      String(arnPattern('arn:aws:iam::111122223333:role/Riposte-Action-Enrich-eu-west-1')),
      String(arnPattern('arn:aws:iam::111122223333:role/Riposte-Action-Contain-eu-west-1')),
      String(arnPattern('arn:aws:iam::111122223333:role/Riposte-Action-Release-eu-west-1')),
    ]);
  });

  it('admits the roles the Riposte stack names for enrich, contain and release, and no other', () => {
    // Prepare: the Riposte stack in a known Region
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const riposte = new RiposteStack(app, 'Riposte', {
      config: parseConfig({}),
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    const roleNames = Object.fromEntries(
      ACTION_FAMILIES.map((family) => [
        family,
        Template.fromStack(riposte).toJSON().Resources[
          riposte.getLogicalId(riposte.actions.families[family].role.node.defaultChild as CfnElement)
        ].Properties.RoleName as string,
      ]),
    );
    const patterns = trustedPatterns(synthMember());

    // Act
    const admitted = ACTION_FAMILIES.filter((family) =>
      patterns.some((pattern) => pattern.test(`arn:aws:iam::111122223333:role/${roleNames[family]}`)),
    );

    // Assess
    expect(roleNames.contain).toBe('Riposte-Action-Contain-eu-west-1');
    expect(admitted).toEqual([...RESOURCE_FAMILIES]);
    expect(
      patterns.some((pattern) =>
        pattern.test('arn:aws:iam::999999999999:role/Riposte-Action-Contain-eu-west-1'),
      ),
    ).toBe(false);
  });

  it('is allowed exactly the AWS actions of the enrich, contain and release families, none with a wildcard', () => {
    // Prepare
    const expected = [...new Set(RESOURCE_FAMILIES.flatMap((family) => iamActionsOfFamily(family)))].sort();

    // Act
    const statements = permissionsOf(synthMember());
    const allowed = statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((s) => asList(s.Action));

    // Assess
    expect([...new Set(allowed)].sort()).toEqual(expected);
    for (const action of allowed) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
  });

  it('acts only in its own account, with "*" only for read-only or account-level calls', () => {
    // Prepare / Act
    const allows = permissionsOf(synthMember()).filter((statement) => statement.Effect === 'Allow');

    // Assess
    for (const statement of allows) {
      for (const resource of asList(statement.Resource)) {
        if (resource === '*') {
          for (const action of asList(statement.Action)) {
            expect(action).toMatch(
              /^((ec2|autoscaling|elasticloadbalancing):Describe[A-Za-z]+|ec2:Get(Snapshot|Image)BlockPublicAccessState|s3:(Get|Put)AccountPublicAccessBlock|cloudtrail:LookupEvents|iam:GetAccountSummary)$/,
            );
          }
          continue;
        }
        const text = JSON.stringify(resource);
        // Snapshot and AMI ARNs carry no account (snapshots are only created from this account's
        // volumes, or tagged as they are created; only their owner can change who may use a
        // snapshot or an AMI); bucket ARNs neither: those statements are bound by
        // s3:ResourceAccount.
        if (text.includes(':ec2:*::snapshot/*') || text.includes(':ec2:*::image/*')) continue;
        if (text.includes(':s3:::')) {
          expect(statement.Condition?.StringEquals?.['s3:ResourceAccount']).toEqual({
            Ref: 'AWS::AccountId',
          });
        } else {
          expect(text).toContain('{"Ref":"AWS::AccountId"}');
        }
      }
    }
  });

  it('denies writing its own policies, sharing a snapshot and the protected tag', () => {
    // Prepare / Act
    const denies = permissionsOf(synthMember({ memberRoleName: 'SecOpsResponder' })).filter(
      (statement) => statement.Effect === 'Deny',
    );

    // Assess
    expect(denies).toEqual([
      {
        Effect: 'Deny',
        Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy'],
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/SecOpsResponder'],
          ],
        },
      },
      {
        Effect: 'Deny',
        Action: 'ec2:ModifySnapshotAttribute',
        Resource: '*',
        Condition: { Null: { 'ec2:Add/group': 'false' } },
      },
      {
        Effect: 'Deny',
        Action: 'ec2:ModifySnapshotAttribute',
        Resource: '*',
        Condition: { Null: { 'ec2:Add/userId': 'false' } },
      },
      {
        Effect: 'Deny',
        Action: 'ec2:CreateTags',
        Resource: '*',
        Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['riposte:protected'] } },
      },
      ...GUARD,
    ]);
  });

  it('tags the member role with the protected tag, so no finding makes Riposte contain its own role', () => {
    // Prepare / Act
    const { template } = synthMember({
      safety: { protectedTag: { key: 'SecOps:DoNotTouch', value: ' Yes' } },
    });

    // Assess
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]?.Properties.Tags).toContainEqual({ Key: 'SecOps:DoNotTouch', Value: 'Yes' });
  });

  it('denies writes to principals and resources carrying the configured protected tag', () => {
    // Prepare / Act
    const denies = permissionsOf(
      synthMember({ safety: { protectedTag: { key: 'SecOps:DoNotTouch', value: 'Yes' } } }),
    ).filter((statement) => statement.Effect === 'Deny' && statement.Condition?.StringEqualsIgnoreCase);

    // Assess
    expect(denies.map((d) => d.Condition)).toEqual([
      { StringEqualsIgnoreCase: { 'iam:ResourceTag/SecOps:DoNotTouch': ['Yes', ' Yes', 'Yes ', ' Yes '] } },
      { StringEqualsIgnoreCase: { 'ec2:ResourceTag/SecOps:DoNotTouch': ['Yes', ' Yes', 'Yes ', ' Yes '] } },
      { StringEqualsIgnoreCase: { 'aws:ResourceTag/SecOps:DoNotTouch': ['Yes', ' Yes', 'Yes ', ' Yes '] } },
    ]);
    const guarded = denies.flatMap((d) => asList(d.Action));
    for (const action of [
      'iam:UpdateAccessKey',
      'iam:PutUserPolicy',
      'iam:PutRolePolicy',
      'ec2:ModifyInstanceAttribute',
      's3:PutBucketPublicAccessBlock',
    ]) {
      expect(guarded).toContain(action);
    }
  });

  it('synthesizes with zero unacknowledged cdk-nag findings, acknowledging only wildcard resources', () => {
    // Prepare
    const outdir = mkdtempSync(path.join(tmpdir(), 'riposte-member-nag-'));
    try {
      const { app, stack } = synthMember({ memberRoleExternalId: 'riposte-ext-4242424242' }, outdir);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

      // Act
      app.synth();
      const file = path.join(outdir, 'validation-report.json');
      const report = JSON.parse(readFileSync(file, 'utf8')) as {
        pluginReports: { violations: { ruleName: string }[] }[];
      };
      const acknowledged = stack.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

      // Assess
      expect(existsSync(file)).toBe(true);
      expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const [rule, reason] of acknowledged) {
        expect(rule).toMatch(/AwsSolutions-IAM5\[Resource::[^\]]+\]$/);
        expect(reason.length).toBeGreaterThan(60);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
