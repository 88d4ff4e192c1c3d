import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadMetricsConfig } from '../../config.ts';
import type { CaseStore, ClaimStore, Clock, MessageStore, SubscriptionStore } from '../../ports.ts';
import { claimMetricsRefresher } from '../../use-cases/refresh-metric-contributions.ts';
import { MetricAggregatesTable } from './metric-aggregates-table.ts';

/**
 * The `metrics` dependency of every ingest function on AWS: refreshes the finance aggregates of
 * the claim or subscription an event changed, with the time zone and window from the environment
 * (`METRICS_TIME_ZONE`, `ATTRIBUTION_WINDOW_DAYS`, set by the FinanceReports construct).
 */
export function tableMetricsRefresher(
  client: DynamoDBClient,
  tableName: string,
  table: Pick<ClaimStore, 'getClaim'> &
    Pick<CaseStore, 'getCase'> &
    Pick<MessageStore, 'listMessages'> &
    Pick<SubscriptionStore, 'getSubscription'>,
  clock: Clock,
) {
  const config = loadMetricsConfig();
  return claimMetricsRefresher({
    claims: table,
    cases: table,
    messages: table,
    subscriptions: table,
    aggregates: new MetricAggregatesTable(client, tableName),
    clock,
    settings: { timeZone: config.METRICS_TIME_ZONE, attributionWindowDays: config.ATTRIBUTION_WINDOW_DAYS },
  });
}
