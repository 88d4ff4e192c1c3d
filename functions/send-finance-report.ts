import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { MetricAggregatesTable } from '../shared/adapters/dynamodb/metric-aggregates-table.ts';
import { SesReportMailer } from '../shared/adapters/email/ses-report-mailer.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { ChartingReportRenderer } from '../shared/adapters/reports/finance-report-renderer.ts';
import { S3ReportArchive } from '../shared/adapters/reports/s3-report-archive.ts';
import { signingKeysFrom } from '../shared/adapters/secrets/signing-keys.ts';
import { loadFinanceReportConfig } from '../shared/config.ts';
import { InvalidRequestError } from '../shared/domain/errors.ts';
import { parsePeriod } from '../shared/domain/metrics-calendar.ts';
import {
  type DeliverFinanceReportDependencies,
  type DeliverFinanceReportResult,
  deliverFinanceReport,
} from '../shared/use-cases/deliver-finance-report.ts';
import { reportLinkIssuer } from '../shared/use-cases/issue-report-link.ts';

/**
 * What the schedule sends: the kind of report, and optionally an explicit period (to re-send an
 * old one by hand: `{"kind":"monthly","period":"2026-03"}`). Without a period the report covers the
 * previous day, ISO week or month in the company's time zone.
 */
const reportEventSchema = z.strictObject({
  kind: z.enum(['daily', 'weekly', 'monthly']),
  period: z.string().optional(),
});

/**
 * Scheduled job (EventBridge Scheduler): the daily summary, the weekly report or the monthly
 * close. Errors propagate so the scheduler retries; a retry never emails twice.
 */
export function createSendFinanceReportHandler(deps: DeliverFinanceReportDependencies) {
  return middy<unknown, DeliverFinanceReportResult>().handler(async (event) => {
    const parsed = reportEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidRequestError(`invalid report event: ${parsed.error.message}`);
    const result = await deliverFinanceReport(
      {
        kind: parsed.data.kind,
        ...(parsed.data.period ? { period: parsePeriod(parsed.data.period) } : {}),
      },
      deps,
    );
    logger.info('finance report delivered', {
      reportId: result.reportId,
      email: result.email,
      currencies: result.currencies.length,
    });
    return result;
  });
}

export const handler = lazyHandler(() => {
  const config = loadFinanceReportConfig();
  const aggregates = new MetricAggregatesTable(new DynamoDBClient({}), config.TABLE_NAME);
  return createSendFinanceReportHandler({
    aggregates,
    deliveries: aggregates,
    settings: { timeZone: config.METRICS_TIME_ZONE, attributionWindowDays: config.ATTRIBUTION_WINDOW_DAYS },
    renderer: new ChartingReportRenderer(),
    archive: new S3ReportArchive(new S3Client({}), config.REPORT_BUCKET_NAME),
    mailer: new SesReportMailer(new SESv2Client({}), {
      from: config.SENDER_EMAIL,
      ...(config.SES_CONFIGURATION_SET ? { configurationSetName: config.SES_CONFIGURATION_SET } : {}),
    }),
    clock: systemClock,
    recipients: {
      daily: config.REPORT_RECIPIENTS_DAILY,
      weekly: config.REPORT_RECIPIENTS_WEEKLY,
      monthly: config.REPORT_RECIPIENTS_MONTHLY,
    },
    reportLink: reportLinkIssuer({
      keys: signingKeysFrom({
        name: 'report link signing key',
        secretArn: config.REPORT_LINK_SIGNING_KEY_SECRET_ARN,
        value: config.REPORT_LINK_SIGNING_KEY,
      }),
      clock: systemClock,
      ttlSeconds: config.REPORT_LINK_TTL_SECONDS,
      baseUrl: () => config.REPORT_LINK_BASE_URL,
    }),
  });
});
