import {
  type MetadataOptions,
  type MetadataReading,
  readMetadata,
  sameOptions,
} from '../ec2/shared/metadata-options.ts';
import type { ActionEnv } from '../types.ts';
import { check, readChecks, type Verification, type VerificationCheck, verification } from './check.ts';

/**
 * Read-back of require-imdsv2 and its release: `DescribeInstances` `MetadataOptions`.
 *
 * On a running instance `ModifyInstanceMetadataOptions` answers `State: pending`, and
 * `DescribeInstances` shows `applied` once the instance has taken the change (the EC2 API
 * Reference, ModifyInstanceMetadataOptions). A read that shows the expected values still
 * `pending` is read once more; if it is still pending then, the values are what the instance is
 * being given, and the check says so: the verification holds (EC2 has accepted them; nothing a
 * second change could add), the evidence records `pending`.
 */

function optionChecks(
  instanceId: string,
  expected: MetadataOptions,
  read: MetadataReading,
): VerificationCheck[] {
  const { options } = read;
  return [
    check(`${instanceId} HttpTokens`, expected.httpTokens, options.httpTokens),
    check(
      `${instanceId} HttpPutResponseHopLimit`,
      String(expected.httpPutResponseHopLimit),
      String(options.httpPutResponseHopLimit),
    ),
    check(`${instanceId} HttpEndpoint`, expected.httpEndpoint, options.httpEndpoint),
  ];
}

function stateCheck(instanceId: string, read: MetadataReading): VerificationCheck {
  const state = read.optionsState ?? 'unknown';
  return {
    check: `${instanceId} metadata options state`,
    expected: 'applied (or pending with the values above)',
    actual: state === 'pending' ? 'pending after a second read: EC2 is applying the values above' : state,
    ok: state === 'applied' || state === 'pending',
  };
}

/**
 * Reads the instance's metadata options and compares them with `expected`; a `pending` read
 * with the right values is read once more.
 *
 * @example
 * const v = await verifyMetadataOptions(env, 'i-0a1b2c3d4e5f60718', IMDSV2_REQUIRED); // v.verified
 */
export async function verifyMetadataOptions(
  env: ActionEnv,
  instanceId: string,
  expected: MetadataOptions,
): Promise<Verification> {
  const checks = await readChecks(`${instanceId} DescribeInstances MetadataOptions`, async () => {
    let read = await readMetadata(env, instanceId);
    if (read.optionsState === 'pending' && sameOptions(read.options, expected)) {
      read = await readMetadata(env, instanceId);
    }
    return [...optionChecks(instanceId, expected, read), stateCheck(instanceId, read)];
  });
  return verification(checks, env);
}
