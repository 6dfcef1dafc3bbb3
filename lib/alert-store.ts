import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link AlertStore}. */
export interface AlertStoreProps {
  /** The customer managed key the table is encrypted with. */
  readonly encryptionKey: kms.IKey;

  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN - alerts, incidents and the audit trail outlive the stack.
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether DynamoDB refuses to delete the table until protection is turned off.
   *
   * @default true - a stack update or a console slip cannot delete the evidence.
   */
  readonly deletionProtection?: boolean;
}

/**
 * The single DynamoDB table holding alerts, incidents and rejected events.
 *
 * Keys: `pk`/`sk` (strings); one global secondary index `gsi1` (`gsi1pk`/`gsi1sk`, all attributes
 * projected). Items with an `expiresAt` attribute (epoch seconds) expire through DynamoDB TTL.
 * On-demand capacity, point-in-time recovery, encrypted with the customer managed key. A stream
 * of new images (`NEW_IMAGE`) carries the lifecycle outbox items to the lifecycle relay.
 *
 * @example
 * const store = new AlertStore(this, 'AlertStore', { encryptionKey: key });
 * store.table.tableArn; // granted to each function by the calls its code declares
 */
export class AlertStore extends Construct {
  /** Name of the global secondary index. */
  public static readonly GSI1 = 'gsi1';
  /** Name of the TTL attribute (epoch seconds). */
  public static readonly TTL_ATTRIBUTE = 'expiresAt';

  /** The table. */
  public readonly table: dynamodb.Table;
  private readonly encryptionKey: kms.IKey;

  public constructor(scope: Construct, id: string, props: AlertStoreProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const deletionProtection = props.deletionProtection ?? true;
    if (deletionProtection && removalPolicy === RemovalPolicy.DESTROY) {
      throw new Error(
        'AlertStore: removalPolicy DESTROY cannot delete a table with deletionProtection; set deletionProtection: false',
      );
    }
    this.encryptionKey = props.encryptionKey;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: AlertStore.TTL_ATTRIBUTE,
      // The lifecycle relay reads the outbox items (`OUTBOX#`) from it.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      deletionProtection,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: AlertStore.GSI1,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /** The table's name, for the functions that use it. */
  public get tableName(): string {
    return this.table.tableName;
  }
}
