import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { approveFamily } from '../../../functions/core/actions/families/approve.ts';
import { containFamily } from '../../../functions/core/actions/families/contain.ts';
import { contextFamily } from '../../../functions/core/actions/families/context.ts';
import { enrichFamily } from '../../../functions/core/actions/families/enrich.ts';
import { notifyFamily } from '../../../functions/core/actions/families/notify.ts';
import { releaseFamily } from '../../../functions/core/actions/families/release.ts';
import { defineFamily, FamilyRegistryError } from '../../../functions/core/actions/family.ts';
import { notifyAction } from '../../../functions/core/actions/notify/notify.ts';
import { ACTIONS, actionsOfFamily } from '../../../functions/core/actions/registry.ts';
import { servicesOf } from '../../../functions/core/actions/runner.ts';
import { ACTION_FAMILIES, type ActionFamily } from '../../../functions/core/actions/types.ts';

const FAMILIES = [contextFamily, enrichFamily, containFamily, releaseFamily, notifyFamily, approveFamily];

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/** The `@aws-sdk/*` packages the bundle of a family's handler imports (bundled as CDK does). */
async function sdkPackagesOf(family: ActionFamily): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, `functions/${family}/handler.ts`)],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    write: false,
    outdir: 'out',
    target: 'node22',
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
  return [...new Set(imports.filter((i) => i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
}

describe('family registries', () => {
  it('cover every family once', () => {
    // Act
    const families = FAMILIES.map((registry) => registry.family);

    // Assess
    expect([...families].sort()).toEqual([...ACTION_FAMILIES].sort());
  });

  it.each(FAMILIES.map((registry) => [registry.family, registry] as const))(
    'the %s registry holds exactly the global registry’s actions of that family',
    (family, registry) => {
      // Act
      const ids = registry.actions.map((action) => action.id).sort();

      // Assess
      expect(registry.actions.every((action) => action.family === family)).toBe(true);
      expect(ids).toEqual(
        actionsOfFamily(family)
          .map((action) => action.id)
          .sort(),
      );
    },
  );

  it('together hold the global registry, each action once and the same definition', () => {
    // Act
    const all = FAMILIES.flatMap((registry) => registry.actions);

    // Assess
    expect(all).toHaveLength(ACTIONS.length);
    expect(new Set(all)).toEqual(new Set(ACTIONS));
  });

  it('build only the clients of the services their actions declare', () => {
    // Act
    const services = Object.fromEntries(
      FAMILIES.map((registry) => [
        registry.family,
        Object.keys(servicesOf(new Map(registry.actions.map((a) => [a.id, a])))).sort(),
      ]),
    );

    // Assess
    expect(services).toEqual({
      context: [],
      enrich: ['autoScaling', 'cloudtrail', 'ec2', 'elbv2', 'iam', 'kms', 'lambda', 'rds'],
      contain: ['autoScaling', 'cloudtrail', 'ec2', 'elbv2', 'iam', 'kms', 'lambda', 'rds', 's3'],
      release: ['autoScaling', 'ec2', 'elbv2', 'iam', 'lambda', 'rds', 's3'],
      notify: [],
      approve: [],
    });
  });
});

describe('defineFamily', () => {
  it('refuses an action of another family', () => {
    // Act
    const define = () => defineFamily('contain', [notifyAction]);

    // Assess
    expect(define).toThrow(FamilyRegistryError);
    expect(define).toThrow(/"notify" is of the notify family, not contain/);
  });

  it('refuses an action listed twice', () => {
    // Act
    const define = () => defineFamily('notify', [notifyAction, notifyAction]);

    // Assess
    expect(define).toThrow(/listed twice in notify/);
  });
});

describe('family handler bundles', () => {
  const RESOURCE_CLIENTS = [
    '@aws-sdk/client-auto-scaling',
    '@aws-sdk/client-ec2',
    '@aws-sdk/client-elastic-load-balancing-v2',
    '@aws-sdk/client-iam',
    '@aws-sdk/client-s3',
  ];

  it.each<ActionFamily>(['context', 'notify', 'approve'])(
    'leave the EC2, IAM, S3, ELB and Auto Scaling SDKs out of the %s function',
    async (family) => {
      // Act
      const packages = await sdkPackagesOf(family);

      // Assess
      expect(packages).toContain('@aws-sdk/client-dynamodb');
      expect(packages.filter((p) => RESOURCE_CLIENTS.includes(p))).toEqual([]);
    },
  );

  it('hold the SDKs of their own actions: SNS in notify, the resource services in contain', async () => {
    // Act
    const notify = await sdkPackagesOf('notify');
    const contain = await sdkPackagesOf('contain');

    // Assess
    expect(notify).toContain('@aws-sdk/client-sns');
    expect(contain).toEqual(expect.arrayContaining(RESOURCE_CLIENTS));
    expect(contain).not.toContain('@aws-sdk/client-sns');
  });
});
