import type { Alert } from '../alert.ts';

/**
 * Which product produced an alert, as far as Riposte can prove it, and whether that product is
 * part of AWS. Only a proven AWS product may start containment by default: a trigger trusts any
 * other product only when it names it (see `../playbooks/trigger.ts`).
 *
 * How the producer is proven, per channel:
 * - An `aws.*` EventBridge source other than Security Hub: only AWS services can put events with
 *   a source starting with `aws.` (PutEvents refuses it with `NotAuthorizedForSourceException`),
 *   so the service named by the source produced it.
 * - `aws.securityhub`: Security Hub relays findings of any product, including the account's own
 *   custom integrations, which anyone allowed `securityhub:BatchImportFindings` can fill freely
 *   (`CompanyName` and `ProductName` included: the ASFF reference says a custom integration may
 *   set them). Only the `ProductArn` is assigned by Security Hub. Its format (Security Hub User
 *   Guide, "Required top-level ASFF attributes", ProductArn) is
 *   `arn:<partition>:securityhub:<region>:<account-id>:product/<company-id>/<product-id>`; for AWS
 *   services integrated with Security Hub the company-id is `aws` and the account-id is empty
 *   ("AWS products and services aren't associated with an account"); a private (custom)
 *   product is `…:<account>:product/<account>/default`, a partner's `…:<partner account>:product/<company>/<product>`.
 *   Security Hub only accepts a finding from the account the finding belongs to for the default
 *   product ARN, or from an allow-listed partner account (API Reference, BatchImportFindings), so
 *   nobody but AWS can import a finding under `::product/aws/<name>`.
 * - `riposte.custom`: the sender chose every field; it is never an AWS product.
 */
export interface Producer {
  /**
   * The product id triggers name: `aws/<service>` for AWS (`aws/guardduty` natively and through
   * Security Hub), `<company-id>/<product-id>` for another Security Hub product
   * (`111122223333/default`, `crowdstrike/crowdstrike-falcon`), `riposte.custom/<declared product>`
   * for custom alerts.
   */
  readonly id: string;
  /** Whether the product is proven to be an AWS service. */
  readonly aws: boolean;
}

/** The source third-party tools use to send alerts (see `sources/custom.ts`). */
const CUSTOM_SOURCE = 'riposte.custom';

// `arn:<partition>:securityhub:<region>:<account-id or empty>:product/<company-id>/<product-id>`
const PRODUCT_ARN = /^arn:(aws[a-z-]*):securityhub:([a-z0-9-]+):(\d{12})?:product\/([^/]+)\/([^/]+)$/;

/** AWS service products whose EventBridge source differs from their Security Hub product id. */
const SOURCE_PRODUCT: Readonly<Record<string, string>> = {
  'aws.inspector2': 'inspector',
  'aws.signin': 'cloudtrail',
};

/**
 * The product of a Security Hub `ProductArn`: AWS only for `arn:<partition>:securityhub:<region>::product/aws/<name>`.
 *
 * @example
 * securityHubProduct('arn:aws:securityhub:eu-west-1::product/aws/guardduty') // { id: 'aws/guardduty', aws: true }
 * securityHubProduct('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default')
 * // { id: '111122223333/default', aws: false }
 */
export function securityHubProduct(productArn: string): Producer {
  const match = PRODUCT_ARN.exec(productArn);
  if (match === null) return { id: `unrecognized/${productArn}`, aws: false };
  const [, , , account, company = '', product = ''] = match;
  return { id: `${company}/${product}`, aws: account === undefined && company === 'aws' };
}

/**
 * Who produced `alert`: decided by the EventBridge source first, then (Security Hub only) by the
 * product ARN Security Hub assigned. A custom alert's own `metadata.product` is only a name.
 *
 * @example
 * alertProducer(guardDutyAlert)          // { id: 'aws/guardduty', aws: true }
 * alertProducer(customIntegrationAlert)  // { id: '111122223333/default', aws: false }
 */
export function alertProducer(alert: Alert): Producer {
  const product = alert.ocsf.metadata.product;
  if (alert.source === CUSTOM_SOURCE) {
    return { id: `${CUSTOM_SOURCE}/${product.uid ?? product.name ?? 'unknown'}`, aws: false };
  }
  if (alert.source === 'aws.securityhub') return securityHubProduct(product.uid ?? '');
  if (alert.source.startsWith('aws.')) {
    // CloudTrail delivers API calls under the source of the service called (`aws.ec2`, `aws.iam`).
    const service = product.name === 'CloudTrail' ? 'cloudtrail' : SOURCE_PRODUCT[alert.source];
    return { id: `aws/${service ?? alert.source.slice(4)}`, aws: true };
  }
  return { id: `${alert.source}/${product.uid ?? product.name ?? 'unknown'}`, aws: false };
}
