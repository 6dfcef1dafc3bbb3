import { describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../../functions/core/normalize/common.ts';
import { normalize } from '../../../../functions/core/normalize/index.ts';
import { CUSTOM_SOURCE } from '../../../../functions/core/normalize/sources/custom.ts';
import { loadFixture, loadFixtureText } from '../../../support/fixtures.ts';
import { alertFrom, rejectionFrom, set } from '../../../support/normalize.ts';

const EDR_ALERT = 'custom/alert-detection-finding-edr.json';

describe('riposte.custom alerts', () => {
  it('accepts an OCSF Detection Finding and keeps it as sent', () => {
    // Prepare
    const text = loadFixtureText(EDR_ALERT);

    // Act
    const alert = alertFrom(text);

    // Assess
    expect(alert.sample).toBe(false);
    expect(alert.ocsf).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 4,
      time: 1759317130000,
      message: 'Credential dumping tool detected on host build-runner-7',
      finding_info: { uid: 'acme-det-7f3e9a21', title: 'Credential dumping tool detected' },
      resources: [{ type: 'AWS::EC2::Instance', uid: 'i-0f9e8d7c6b5a43210', name: 'build-runner-7' }],
      cloud: { provider: 'AWS', region: 'eu-west-1', account: { uid: '111122223333' } },
    });
    expect(alert.ocsf.raw_data).toBe(text);
  });

  it('derives id and source itself, ignoring the ones the sender put in detail', () => {
    // Prepare
    const event = loadFixture(EDR_ALERT);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.source).toBe(CUSTOM_SOURCE);
    expect(alert.source).toBe('riposte.custom');
    expect(alert.id).toBe(alertIdFor('custom:111122223333:acme-edr:acme-det-7f3e9a21'));
    expect(alert.id).not.toBe('ignored-by-riposte');
  });

  it('stamps OCSF 1.6.0 and the cloud profile on the metadata', () => {
    // Prepare
    const event = set(loadFixture(EDR_ALERT), 'detail.ocsf.metadata.profiles', ['host']);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.metadata.version).toBe('1.6.0');
    expect(alert.ocsf.metadata.profiles).toEqual(['host', 'cloud']);
    expect(alert.ocsf.metadata.uid).toBe('acme-evt-000451');
  });

  it('flags a sample and labels it, once', () => {
    // Prepare
    const event = set(loadFixture(EDR_ALERT), 'detail.sample', true);
    set(event, 'detail.ocsf.metadata.labels', ['sample', 'edr']);

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.sample).toBe(true);
    expect(alert.ocsf.metadata.labels).toEqual(['sample', 'edr']);
  });

  it('routes on source alone: any detail-type is accepted', () => {
    // Prepare
    const event = set(loadFixture(EDR_ALERT), 'detail-type', 'Anything At All');

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.class_uid).toBe(2004);
  });

  it('keeps the raw_data a sender provides', () => {
    // Prepare
    const event = set(loadFixture(EDR_ALERT), 'detail.ocsf.raw_data', '{"edr":"original"}');

    // Act
    const alert = alertFrom(event);

    // Assess
    expect(alert.ocsf.raw_data).toBe('{"edr":"original"}');
  });

  describe('alert id', () => {
    it('is namespaced by product: the same uid from two products gives two alerts', () => {
      // Prepare
      const acme = loadFixture(EDR_ALERT);
      const other = set(loadFixture(EDR_ALERT), 'detail.ocsf.metadata.product.uid', 'other-edr');

      // Act
      const [first, second] = [acme, other].map(alertFrom);

      // Assess
      expect(second?.id).toBe(alertIdFor('custom:111122223333:other-edr:acme-det-7f3e9a21'));
      expect(second?.id).not.toBe(first?.id);
    });

    it('can never collide with an AWS finding alert keyed on the same string', () => {
      // Prepare
      const arn = 'arn:aws:guardduty:eu-west-1:111122223333:detector/d/finding/f';
      const event = set(loadFixture(EDR_ALERT), 'detail.ocsf.finding_info.uid', arn);

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.id).not.toBe(alertIdFor(arn));
    });

    it('uses the product name, then metadata.uid, when product uid or finding uid are absent', () => {
      // Prepare
      const event = loadFixture(EDR_ALERT);
      set(event, 'detail.ocsf.metadata.product.uid', undefined);
      set(event, 'detail.ocsf.class_uid', 6003);
      set(event, 'detail.ocsf.category_uid', 6);
      set(event, 'detail.ocsf.type_uid', 600301);
      set(event, 'detail.ocsf.finding_info', undefined);
      set(event, 'detail.ocsf.api', { operation: 'InvokeModel' });
      set(event, 'detail.ocsf.actor', { user: { name: 'svc' } });
      set(event, 'detail.ocsf.src_endpoint', { ip: '192.0.2.1' });

      // Act
      const alert = alertFrom(event);

      // Assess
      expect(alert.id).toBe(alertIdFor('custom:111122223333:Acme EDR:acme-evt-000451'));
    });
  });

  describe('bad input', () => {
    it.each([
      ['no ocsf', 'detail.ocsf', undefined, 'missing_field', /^detail\.ocsf: /],
      ['ocsf a string', 'detail.ocsf', '{}', 'invalid_field', /^detail\.ocsf: /],
      [
        'an inconsistent type_uid',
        'detail.ocsf.type_uid',
        200402,
        'invalid_field',
        /^detail\.ocsf\.type_uid: type_uid must be class_uid \* 100 \+ activity_id \(200401\)$/,
      ],
      [
        'a non-integer severity_id',
        'detail.ocsf.severity_id',
        'High',
        'invalid_field',
        /^detail\.ocsf\.severity_id: /,
      ],
      ['no time', 'detail.ocsf.time', undefined, 'missing_field', /^detail\.ocsf\.time: /],
      ['sample a string', 'detail.sample', 'yes', 'invalid_field', /^detail\.sample: /],
      [
        'metadata.version 2.0.0',
        'detail.ocsf.metadata.version',
        '2.0.0',
        'invalid_field',
        /^detail\.ocsf\.metadata\.version: must be an OCSF 1\.x version$/,
      ],
    ])('%s → %s', (_label, path, value, reason, message) => {
      // Prepare
      const event = set(loadFixture(EDR_ALERT), path, value);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection.reason).toBe(reason);
      expect(rejection.message).toMatch(message);
    });

    // Fixed (ocsf/schema.ts SeverityIdSchema): severity_id used to accept any integer, so 42 became
    // an alert that is not OCSF 1.6.0 and sorts above Critical for any `severity_id >= 4` rule.
    it.each([42, 7, -1, 100])('refuses a severity_id outside the OCSF enum (%i)', (severityId) => {
      // Prepare
      const event = set(loadFixture(EDR_ALERT), 'detail.ocsf.severity_id', severityId);

      // Act
      const outputs = normalize(event);

      // Assess
      expect(outputs).toEqual([
        {
          rejected: {
            reason: 'invalid_field',
            message:
              'detail.ocsf.severity_id: must be one of 0, 1, 2, 3, 4, 5, 6, 99 (the OCSF severity_id enum)',
          },
        },
      ]);
    });

    it.each([0, 6, 99])('accepts every severity_id of the OCSF enum (%i)', (severityId) => {
      // Prepare
      const event = set(loadFixture(EDR_ALERT), 'detail.ocsf.severity_id', severityId);

      // Act
      const outputs = normalize(event);

      // Assess
      expect(outputs).toHaveLength(1);
      expect(outputs[0]).toHaveProperty('alert.ocsf.severity_id', severityId);
    });

    it('refuses a class Riposte does not handle', () => {
      // Prepare
      const event = loadFixture(EDR_ALERT);
      set(event, 'detail.ocsf.class_uid', 1007);
      set(event, 'detail.ocsf.category_uid', 1);
      set(event, 'detail.ocsf.type_uid', 100701);

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({
        reason: 'invalid_field',
        message:
          'detail.ocsf.class_uid: class 1007 is not one Riposte handles (2002, 2003, 2004, 2006, 3002, 6003)',
      });
    });

    it('refuses an alert with neither finding uid nor metadata uid', () => {
      // Prepare
      const event = loadFixture(EDR_ALERT);
      set(event, 'detail.ocsf.metadata.uid', undefined);
      set(event, 'detail.ocsf.class_uid', 3002);
      set(event, 'detail.ocsf.category_uid', 3);
      set(event, 'detail.ocsf.type_uid', 300201);
      set(event, 'detail.ocsf.finding_info', undefined);
      set(event, 'detail.ocsf.user', { name: 'alice' });

      // Act
      const rejection = rejectionFrom(event);

      // Assess
      expect(rejection).toEqual({
        reason: 'missing_field',
        message: 'detail.ocsf.finding_info.uid: a finding uid or metadata.uid is required',
      });
    });
  });
});
