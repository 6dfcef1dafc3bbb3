import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { RiposteError } from '../../errors.ts';
import type { NotifyTransport } from '../notify/transport.ts';
import type { ApprovalKey } from './token.ts';

/** Environment variables the approval pieces read. */
export const APPROVAL_ENV = {
  tableName: 'TABLE_NAME',
  baseUrl: 'APPROVAL_BASE_URL',
  keySecretArn: 'APPROVAL_KEY_SECRET_ARN',
} as const;

export const ApprovalConfigSchema = z.object({
  tableName: z.string().min(3),
  /** The approval API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine(
      (url) => url.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(url),
      'must use https (http only for localhost)',
    ),
  keySecretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN'),
});
export type ApprovalConfig = z.infer<typeof ApprovalConfigSchema>;

/** Raised when the approval environment variables are invalid. */
export class ApprovalConfigError extends RiposteError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalConfigError';
  }
}

/**
 * Reads {@link ApprovalConfig} from `TABLE_NAME`, `APPROVAL_BASE_URL` and `APPROVAL_KEY_SECRET_ARN`.
 *
 * @example
 * const config = approvalConfigFromEnv(process.env);
 */
export function approvalConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ApprovalConfig {
  const parsed = ApprovalConfigSchema.safeParse({
    tableName: env[APPROVAL_ENV.tableName],
    baseUrl: env[APPROVAL_ENV.baseUrl],
    keySecretArn: env[APPROVAL_ENV.keySecretArn],
  });
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new ApprovalConfigError(`invalid approval configuration: ${details}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** What `request-approval` runs with. */
export interface ApprovalDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly baseUrl: string;
  readonly key: () => Promise<ApprovalKey>;
  readonly transport: NotifyTransport;
}
