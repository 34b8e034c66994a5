/**
 * AWS Backup for every table the stage uses (stages with `backup` in their config, prod by default): a daily
 * backup into a retained vault, kept `retentionDays`. It complements PITR (35 days, to the second, same
 * table) with copies that survive the table's deletion. Restores: docs/restore.md.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault, type BackupSelection } from 'aws-cdk-lib/aws-backup';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface TableBackupsProps {
  readonly name: string;
  readonly tables: readonly ITable[];
  readonly retentionDays: number;
}

export class TableBackups extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  readonly selection: BackupSelection;

  constructor(scope: Construct, id: string, props: TableBackupsProps) {
    super(scope, id);
    // The recovery points must outlive a deleted stack: that is what they are for.
    this.vault = new BackupVault(this, 'Vault', { backupVaultName: `${props.name}-backups`, removalPolicy: RemovalPolicy.RETAIN });
    this.plan = new BackupPlan(this, 'Plan', { backupPlanName: `${props.name}-tables`, backupVault: this.vault });
    this.plan.addRule(
      new BackupPlanRule({
        ruleName: 'Daily',
        // 03:00 UTC, after the night's quietest hours; a missed window starts within 1 h, completes within 8 h.
        scheduleExpression: Schedule.cron({ minute: '0', hour: '3' }),
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(8),
        deleteAfter: Duration.days(props.retentionDays),
      }),
    );
    this.selection = this.plan.addSelection('Tables', {
      backupSelectionName: `${props.name}-tables`,
      resources: props.tables.map((t) => BackupResource.fromArn(t.tableArn)),
    });
  }
}
