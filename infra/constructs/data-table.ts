/**
 * One DynamoDB table from a wiring `TableSpec`. Everything that makes a table production-grade
 * (on-demand, PITR, encryption, deletion protection in retained stages) lives here so every
 * table added to the wiring gets it without anyone having to remember.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { KeyAttribute, TableSpec } from '../wiring';

export interface DataTableProps {
  readonly spec: TableSpec;
  readonly tableName: string;
  /** Retain and protect the table (prod): survives `cdk destroy` and accidental deletes. */
  readonly retainData: boolean;
}

export class DataTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    const { spec, retainData } = props;

    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: toAttribute(spec.partitionKey),
      sortKey: spec.sortKey ? toAttribute(spec.sortKey) : undefined,
      // Webhook traffic is bursty and low on average: on-demand costs nothing when idle.
      billingMode: BillingMode.PAY_PER_REQUEST,
      // Non-deprecated form of `pointInTimeRecovery: true`; on in every stage so restores are rehearsable.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-owned keys would be invisible in CloudTrail; AWS-managed (aws/dynamodb) is free and auditable.
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: spec.timeToLiveAttribute,
      deletionProtection: retainData,
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    for (const index of spec.globalIndexes ?? []) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: toAttribute(index.partitionKey),
        sortKey: index.sortKey ? toAttribute(index.sortKey) : undefined,
        ...(index.include ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] } : {}),
      });
    }
  }
}

function toAttribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}
