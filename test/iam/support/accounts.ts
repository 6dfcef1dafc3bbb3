import type { Environment } from './cfn.ts';

/** The security account Riposte runs in, and a member account it reaches through the member role. */
export const SECURITY: Environment = { account: '111122223333', region: 'eu-west-1', partition: 'aws' };
export const MEMBER: Environment = { account: '444455556666', region: 'eu-west-1', partition: 'aws' };
/** The external id the member role requires. */
export const EXTERNAL_ID = 'riposte-external-id-0042';
/** The AWS organization of both accounts. */
export const ORGANIZATION = { id: 'o-a1b2c3d4e5' } as const;
/** A Slack webhook secret outside the stack (not encrypted with Riposte's key). */
export const SLACK_SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:riposte/slack-AbCdEf';
