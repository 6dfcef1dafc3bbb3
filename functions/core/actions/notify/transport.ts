import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SnsPublisher } from './channels/sns.ts';
import { NotificationDeliveryError, type NotifyConfig, NotifyConfigError } from './config.ts';

/** How a notification is sent: HTTP, secrets, and the transport the channels share. */

/** POSTs a body; throws on a non-2xx answer. Must never put the URL in an error message. */
export interface HttpPoster {
  post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<{ readonly status: number }>;
}

/** Reads a secret's string value. */
export interface SecretReader {
  read(secretArn: string): Promise<string>;
}

/** Everything a notification is sent with. */
export interface NotifyTransport {
  readonly config: NotifyConfig;
  readonly sns: SnsPublisher;
  readonly http: HttpPoster;
  readonly secrets: SecretReader;
}

export const fetchPoster: HttpPoster = {
  async post(url, body, headers) {
    const host = new URL(url).host;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        headers: { ...headers },
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      throw new NotificationDeliveryError(`POST to ${host} failed (${reason})`);
    }
    await response.body?.cancel();
    if (!response.ok) throw new NotificationDeliveryError(`POST to ${host} answered HTTP ${response.status}`);
    return { status: response.status };
  },
};

/**
 * {@link SecretReader} on Secrets Manager, caching each value for `ttlMs` (5 minutes by
 * default). Values are never logged.
 *
 * @example
 * const secrets = new SecretsManagerReader(new SecretsManagerClient({}));
 * const url = await secrets.read(config.slackWebhookSecretArn);
 */
export class SecretsManagerReader implements SecretReader {
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { readonly value: Promise<string>; readonly at: number }>();

  public constructor(client: SecretsManagerClient, options: { ttlMs?: number; now?: () => number } = {}) {
    this.client = client;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  public read(secretArn: string): Promise<string> {
    const cached = this.cache.get(secretArn);
    if (cached !== undefined && this.now() - cached.at < this.ttlMs) return cached.value;
    const value = this.client.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => {
      if (out.SecretString === undefined || out.SecretString === '') {
        throw new NotifyConfigError(`secret ${secretArn} has no string value`);
      }
      return out.SecretString;
    });
    this.cache.set(secretArn, { value, at: this.now() });
    value.catch(() => this.cache.delete(secretArn));
    return value;
  }
}
