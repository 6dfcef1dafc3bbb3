import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRoutes, ROUTES_FILE, RoutesFileError, routesFrom } from '../../../functions/ingest/routes.ts';

const PREFIX = 'arn:aws:states:eu-west-1:111122223333:stateMachine:';
const ROUTE = {
  id: 'ec2-instance-compromise',
  version: '1.2.0',
  stateMachineName: 'Riposte-ec2-instance-compromise',
  trigger: { sources: ['aws.guardduty'], minSeverity: 4, resourceTypes: ['AWS::EC2::Instance'] },
};

describe('bundled playbook routes', () => {
  it('start each playbook on its live alias, built from the ARN prefix and the state machine name', () => {
    // Prepare / Act
    const routes = routesFrom(JSON.stringify([ROUTE]), PREFIX);

    // Assess
    expect(routes).toEqual([
      {
        id: ROUTE.id,
        version: ROUTE.version,
        target: `${PREFIX}Riposte-ec2-instance-compromise:live`,
        trigger: ROUTE.trigger,
      },
    ]);
  });

  it("carry each playbook's precedence, so a deployment starts only the superseding playbook", () => {
    // Prepare
    const superseding = { ...ROUTE, id: 'dev-crypto-mining', supersedes: ['ec2-instance-compromise'] };

    // Act
    const routes = routesFrom(JSON.stringify([ROUTE, superseding]), PREFIX);

    // Assess
    expect(routes.map((route) => route.supersedes)).toEqual([undefined, ['ec2-instance-compromise']]);
  });

  it('are read from the file beside the bundle, and there are none without a file', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'riposte-routes-'));
    writeFileSync(path.join(dir, ROUTES_FILE), JSON.stringify([ROUTE]));
    const bundle = pathToFileURL(path.join(dir, 'index.mjs'));

    // Act / Assess
    expect(loadRoutes(ROUTES_FILE, PREFIX, bundle).map((route) => route.target)).toEqual([
      `${PREFIX}Riposte-ec2-instance-compromise:live`,
    ]);
    expect(loadRoutes(undefined, undefined, bundle)).toEqual([]);
  });

  it('fail the start, naming the problem, when the file is missing, not JSON or not routes, or the prefix is wrong', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'riposte-routes-'));
    const bundle = pathToFileURL(path.join(dir, 'index.mjs'));

    // Act / Assess
    expect(() => loadRoutes(ROUTES_FILE, PREFIX, bundle)).toThrow(RoutesFileError);
    expect(() => loadRoutes(ROUTES_FILE, undefined, bundle)).toThrow(/PLAYBOOK_ARN_PREFIX/);
    expect(() => routesFrom('{', PREFIX)).toThrow(/not JSON/);
    expect(() => routesFrom(JSON.stringify([{ ...ROUTE, stateMachineName: 'a:b' }]), PREFIX)).toThrow(
      /not a list of routes: 0.stateMachineName/,
    );
    expect(() => routesFrom('[]', 'arn:aws:states:eu-west-1:111122223333:stateMachine:Riposte-')).toThrow(
      /PLAYBOOK_ARN_PREFIX must be/,
    );
  });
});
