import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ProjectFunction } from './project-function.ts';

export interface RecoveryMetricsProps {
  /** The finance aggregates are read from it. */
  readonly table: ITable;
}

/**
 * The metrics API: the function behind `GET /api/metrics`, which reads the finance aggregates
 * kept up to date as events arrive (docs/metrics.md). Its time zone and attribution window come
 * from `FinanceReports`, as every function that reads or writes the aggregates.
 */
export class RecoveryMetrics extends Construct {
  public readonly getMetricsFunction: ProjectFunction;

  public constructor(scope: Construct, id: string, props: RecoveryMetricsProps) {
    super(scope, id);
    this.getMetricsFunction = new ProjectFunction(this, 'GetMetricsFunction', {
      entry: 'functions/get-recovery-metrics.ts',
      description: 'GET /api/metrics: the finance metrics of a period, from the aggregates',
    });
    this.getMetricsFunction.bindTable(props.table, 'read');
  }
}
