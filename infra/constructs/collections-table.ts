import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableSchema } from '../../shared/adapters/dynamodb/table-schema.ts';

export interface CollectionsTableProps {
  /**
   * Refuse `DeleteTable` from any client (console, CLI, CloudFormation) until it is turned off.
   * The table holds the ledger of billing events and every case: losing it loses money.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The single table (claims, cases, customers, messages, metrics), with its keys and indexes
 * built from `tableSchema`, the object the DynamoDB adapter and the embedded DynamoDB also read.
 *
 * Encryption: the AWS-managed key (`aws/dynamodb`). Data is encrypted at rest and every key use
 * is in CloudTrail, with no key policy to get wrong and no per-request KMS charge; and the
 * journey's DynamoDB task reads the table without needing a `kms:Decrypt` grant. A customer-managed
 * key becomes worth it when someone must be able to revoke access to the data independently of
 * IAM (crypto-shredding a tenant, cross-account audit): that is not a requirement yet.
 */
export class CollectionsTable extends Construct {
  public readonly table: ITable;

  public constructor(scope: Construct, id: string, props: CollectionsTableProps = {}) {
    super(scope, id);
    const table = new Table(this, 'Table', {
      partitionKey: { name: tableSchema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSchema.sortKey, type: AttributeType.STRING },
      // On-demand: traffic follows billing runs and webhooks bursts, not a steady rate.
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      // Short-lived items (portal rate-limit counters, expired portal links) carry `ttl` (epoch seconds).
      timeToLiveAttribute: 'ttl',
      // Stateful: deleting the stack must never delete the money ledger.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(tableSchema.indexes)) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    // `Table` declares `tableStreamArn` as a `string | undefined` getter where `ITable` has an
    // optional property, which `exactOptionalPropertyTypes` rejects; the object is an ITable.
    this.table = table as ITable;
  }
}
