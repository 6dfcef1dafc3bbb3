import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../functions/core/normalize/index.ts';
import { alertProducer, securityHubProduct } from '../../functions/core/normalize/product.ts';
import { attackFixture, runAttack, runFolder } from '../support/attacks.ts';
import { loadFixture } from '../support/fixtures.ts';
import { alertOf } from '../support/normalize.ts';

/**
 * Only genuine findings contain. Each attack is replayed with `riposte run` on the example world,
 * and its control case (the genuine finding) still is contained.
 */
/**
 * Any principal of a member account with `securityhub:BatchUpdateFindings` can rewrite the
 * top-level `Types` and `Severity` of its account's findings, AWS's own included; only the
 * provider writes `FindingProviderFields`. The edited copy is delivered as an ordinary "Findings -
 * Imported" event with AWS's ProductArn.
 */
describe('a genuine GuardDuty finding retyped with BatchUpdateFindings', () => {
  /** The port-probe finding GuardDuty rated Low, edited to read as a High backdoor finding. */
  function retyped(): string {
    const event = structuredClone(loadFixture('attacks/securityhub-genuine-guardduty-backdoor.json')) as {
      detail: { findings: Record<string, unknown>[] };
    };
    const [finding] = event.detail.findings;
    if (finding === undefined) throw new Error('the fixture holds no finding');
    finding.FindingProviderFields = {
      Types: ['TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort'],
      Severity: { Label: 'LOW', Original: '2' },
    };
    const file = path.join(runFolder(), 'retyped.json');
    writeFileSync(file, JSON.stringify(event));
    return file;
  }

  it("is read with its provider's type and severity, and contains nothing", async () => {
    // Prepare
    const file = retyped();

    // Act
    const alert = alertOf(normalize(JSON.parse(readFileSync(file, 'utf8'))));
    const { output, containmentCalls } = await runAttack(file);

    // Assess
    expect(alert.ocsf.severity_id).toBe(2);
    expect(alert.ocsf.finding_info?.types).toEqual(['TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort']);
    expect(output.executions).toEqual([]);
    expect(containmentCalls).toEqual([]);
  });
});

describe('a forged Security Hub finding from a customer product', () => {
  const FORGED = attackFixture('securityhub-forged-customer-product-backdoor.json');
  const GENUINE = attackFixture('securityhub-genuine-guardduty-backdoor.json');

  it('contains nothing, although it copies GuardDuty’s type, names and finding ARN', async () => {
    // Act
    const { output, containmentCalls } = await runAttack(FORGED);

    // Assess
    expect(output.alerts).toHaveLength(1);
    expect(output.executions).toEqual([]);
    expect(containmentCalls).toEqual([]);
  });

  it('control: the genuine GuardDuty finding through Security Hub is still contained', async () => {
    // Act
    const { containmentCalls } = await runAttack(GENUINE);

    // Assess
    expect(containmentCalls).toContainEqual(expect.stringMatching(/^ModifyNetworkInterfaceAttribute /));
  });

  it('control: the genuine GuardDuty finding delivered natively is still contained', async () => {
    // Act
    const { containmentCalls } = await runAttack('examples/events/guardduty-ec2-c2-activity.json');

    // Assess
    expect(containmentCalls).toContainEqual(expect.stringMatching(/^ModifyNetworkInterfaceAttribute /));
  });

  it('gets an alert of its own: the genuine finding still shares one alert natively and through Security Hub', () => {
    // Prepare
    const forged = alertOf(
      normalize(loadFixture('attacks/securityhub-forged-customer-product-backdoor.json')),
    );
    const viaSecurityHub = alertOf(
      normalize(loadFixture('attacks/securityhub-genuine-guardduty-backdoor.json')),
    );
    const native = alertOf(normalize(loadFixture('../../../examples/events/guardduty-ec2-c2-activity.json')));

    // Assess
    expect(viaSecurityHub.id).toBe(native.id);
    expect(forged.id).not.toBe(native.id);
    expect(alertProducer(forged)).toEqual({ id: '111122223333/default', aws: false });
    expect(alertProducer(viaSecurityHub)).toEqual({ id: 'aws/guardduty', aws: true });
    expect(alertProducer(native)).toEqual({ id: 'aws/guardduty', aws: true });
  });

  it('cannot freeze an alert with an update time in 2099: the time is clamped and labelled', () => {
    // Prepare
    const event = loadFixture('attacks/securityhub-forged-customer-product-backdoor.json');

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.finding_info?.modified_time).toBe(Date.parse('2026-11-02T10:16:00Z'));
    expect(alert.ocsf.time).toBe(Date.parse('2026-11-02T10:16:00Z'));
    expect(alert.ocsf.metadata.labels).toContain('future-time-clamped');
  });

  it.each([
    ['arn:aws:securityhub:eu-west-1::product/aws/guardduty', true],
    ['arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/inspector', true],
    ['arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default', false],
    ['arn:aws:securityhub:eu-west-1:111122223333:product/aws/guardduty', false],
    ['arn:aws:securityhub:us-west-2:222222222222:product/generico/secure-pro', false],
    ['arn:aws:securityhub:eu-west-1::product/AWS/guardduty', false],
    ['arn:aws:securityhub:eu-west-1::product/aws/guardduty/extra', false],
    ['not an arn', false],
  ])('proves an AWS product only by the ProductArn shape: %s → %s', (productArn, aws) => {
    // Act / Assess
    expect(securityHubProduct(productArn).aws).toBe(aws);
  });
});

describe('a forged custom event claiming another account', () => {
  const FORGED = attackFixture('custom-forged-other-account-bucket.json');

  it('is not delivered while the custom source is off (the default)', async () => {
    // Act
    const { output, containmentCalls } = await runAttack(FORGED);

    // Assess
    expect(output.alerts).toEqual([]);
    expect(containmentCalls).toEqual([]);
  });

  it('is refused as untrusted_sender when its sending account is not configured', async () => {
    // Prepare: the custom source on, for another account than the sender's (444455556666).
    const cwd = runFolder({ sources: { custom: { enabled: true, accounts: ['111122223333'] } } });

    // Act
    const { output, containmentCalls } = await runAttack(FORGED, { cwd });

    // Assess: the rule's account filter does not deliver it, and nothing is contained.
    expect(output.alerts).toEqual([]);
    expect(containmentCalls).toEqual([]);
  });

  it('from an allowed sender, acts in the sender’s account and starts no playbook that does not name riposte.custom', async () => {
    // Prepare: the sender's account is allowed; the event still claims 111122223333.
    const cwd = runFolder({ sources: { custom: { enabled: true, accounts: ['444455556666'] } } });

    // Act
    const { output, containmentCalls } = await runAttack(FORGED, { cwd });

    // Assess
    expect(output.alerts).toHaveLength(1);
    expect(output.incident).toMatchObject({ account: '444455556666' });
    expect(output.executions).toEqual([]);
    expect(containmentCalls).toEqual([]);
  });

  it('keeps the claimed account only as unmapped data', () => {
    // Prepare
    const event = loadFixture('attacks/custom-forged-other-account-bucket.json');

    // Act
    const alert = alertOf(normalize(event));

    // Assess
    expect(alert.ocsf.cloud.account?.uid).toBe('444455556666');
    expect(alert.ocsf.unmapped).toMatchObject({ claimed_account_uid: '111122223333' });
  });
});
