import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/schema.ts';
import { loadPlaybooks } from '../../functions/core/playbooks/registry.ts';
import { RiposteMemberStack } from '../../lib/member-account-stack.ts';
import { RiposteStack } from '../../lib/riposte-stack.ts';
import {
  IAM_QUOTAS,
  measureRoles,
  policyCharacters,
  type QuotaTemplate,
  quotaViolations,
} from '../support/iam-quotas.ts';

/**
 * Every IAM role of the security-account stack (with its nested playbook stacks) and of the
 * member-account stack fits IAM's quotas ("IAM and AWS STS quotas",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): inline policies
 * of a role at most 10,240 characters together, each customer managed policy at most 6,144, at
 * most 10 managed policies attached to a role (the default quota). CDK splits a role's default
 * policy past its own estimate into `OverflowPolicy<n>` managed policies but does not count the
 * role's other inline policies (its DenyPolicy, the lifecycle publish policy shared by several
 * roles), so the templates are measured whole. Asset bundling is skipped: it changes no policy.
 */

const outdir = mkdtempSync(path.join(tmpdir(), 'riposte-iam-quotas-'));

function templatesOf(stackName: string): QuotaTemplate[] {
  return readdirSync(outdir)
    .filter(
      (file) =>
        file === `${stackName}.template.json` ||
        (file.startsWith(stackName) && file.endsWith('.nested.template.json')),
    )
    .map((file) => ({ file, json: JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) }));
}

/** A template of one role with the given inline policy and managed policies. */
function oneRole(statements: number, managed: number): QuotaTemplate {
  const statement = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/key' };
  const document = { Version: '2012-10-17', Statement: Array.from({ length: statements }, () => statement) };
  const role = {
    Type: 'AWS::IAM::Role',
    Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
  };
  const policies = Array.from({ length: managed }, (_, i) => [
    `Managed${i}`,
    { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document, Roles: [{ Ref: 'Role' }] } },
  ]);
  return {
    file: 'test.template.json',
    json: {
      Resources: {
        Role: role,
        Inline: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyDocument: document, Roles: [{ Ref: 'Role' }] },
        },
        ...Object.fromEntries(policies),
      },
    },
  };
}

describe('IAM quotas', () => {
  beforeAll(async () => {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    new RiposteStack(app, 'Riposte', { config: parseConfig({}), playbooks: await loadPlaybooks() });
    new RiposteMemberStack(app, 'RiposteMember', { config: parseConfig({}) });
    app.synth();
  }, 120_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('holds for every role of the security-account stack and its nested stacks', () => {
    // Prepare
    const templates = templatesOf('Riposte');
    const { roles } = measureRoles(templates);

    // Act
    const violations = quotaViolations(templates);

    // Assess
    const heaviest = [...roles].sort((a, b) => b.inlineCharacters - a.inlineCharacters).slice(0, 3);
    console.info(
      `IAM quotas, heaviest roles: ${heaviest
        .map((r) => `${r.role.split(' ')[1]} ${r.inlineCharacters} inline + ${r.managedPolicies} managed`)
        .join('; ')}`,
    );
    expect(roles.some((r) => /^Riposte\.template\.json ActionsContainRole/.test(r.role))).toBe(true);
    expect(templates.some((t) => t.file.endsWith('.nested.template.json'))).toBe(true);
    expect(violations).toEqual([]);
  });

  it("holds for the member-account role, whose permissions are every resource family's", () => {
    // Prepare
    const templates = templatesOf('RiposteMember');

    // Act
    const { roles } = measureRoles(templates);

    // Assess
    console.info(
      `IAM quotas, member role: ${roles[0]?.inlineCharacters} inline + ${roles[0]?.managedPolicies} managed`,
    );
    expect(roles).toHaveLength(1);
    expect(roles[0]?.inlineCharacters).toBeGreaterThan(0);
    expect(quotaViolations(templates)).toEqual([]);
  });

  it('reports a role past each quota, and counts neither white space nor fewer than its references', () => {
    // Prepare
    const big = oneRole(200, 11);
    const small = oneRole(1, 0);

    // Act
    const violations = quotaViolations([big]);

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/^test\.template\.json Role: inline policies total \d+ characters > 10240$/),
      'test.template.json Role: 12 managed policies attached > 10',
      ...Array.from({ length: 11 }, (_, i) =>
        expect.stringMatching(
          new RegExp(`^test\\.template\\.json Managed${i}: managed policy of \\d+ characters > 6144$`),
        ),
      ),
    ]);
    expect(quotaViolations([small])).toEqual([]);
    expect(policyCharacters({ A: 'x y' })).toBe('{"A":"xy"}'.length);
    expect(
      policyCharacters({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':', { Ref: 'Thing' }]] }),
    ).toBe('"arn:aws-us-gov:"'.length + 200);
    expect(IAM_QUOTAS).toEqual({
      roleInlineCharacters: 10_240,
      managedPolicyCharacters: 6_144,
      managedPoliciesPerRole: 10,
    });
  });
});
