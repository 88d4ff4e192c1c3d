import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildCollectionsApp } from '../../infra/collections-app.ts';

function synth(context: Record<string, unknown> = {}) {
  const { app, stack } = buildCollectionsApp({ bundling: false, context });
  app.synth();
  return { template: Template.fromStack(stack), stack };
}

describe('FinanceReports', () => {
  const { template, stack } = synth({
    financeTimeZone: 'Europe/Paris',
    monthlyReportRecipients: 'cfo@acme.test, ar@acme.test',
    dailyReportRecipients: 'ops@acme.test',
    attributionWindowDays: '14',
  });
  const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((resource) => ({
    expression: resource.Properties.ScheduleExpression as string,
    timeZone: resource.Properties.ScheduleExpressionTimezone as string,
    input: resource.Properties.Target.Input as string | undefined,
    retries: resource.Properties.Target.RetryPolicy?.MaximumRetryAttempts as number | undefined,
  }));

  it('schedules the daily summary, weekly report and monthly close in the company time zone', () => {
    expect(schedules).toEqual(
      expect.arrayContaining([
        { expression: 'cron(0 7 * * ? *)', timeZone: 'Europe/Paris', input: '{"kind":"daily"}', retries: 3 },
        {
          expression: 'cron(30 7 ? * MON *)',
          timeZone: 'Europe/Paris',
          input: '{"kind":"weekly"}',
          retries: 3,
        },
        {
          expression: 'cron(0 8 1 * ? *)',
          timeZone: 'Europe/Paris',
          input: '{"kind":"monthly"}',
          retries: 3,
        },
        {
          expression: 'cron(0 3 ? * SUN *)',
          timeZone: 'Europe/Paris',
          input: '{"repair":false}',
          retries: 0,
        },
      ]),
    );
  });

  it('passes recipients, time zone and attribution window to the functions that need them', () => {
    const environment = (fn: object) =>
      template.toJSON().Resources[stack.getLogicalId(fn as never)].Properties.Environment.Variables;
    const report = environment(stack.financeReports.reportFunction.node.defaultChild as object);
    expect(report).toMatchObject({
      METRICS_TIME_ZONE: 'Europe/Paris',
      ATTRIBUTION_WINDOW_DAYS: '14',
      REPORT_RECIPIENTS_MONTHLY: 'cfo@acme.test,ar@acme.test',
      REPORT_RECIPIENTS_DAILY: 'ops@acme.test',
      REPORT_RECIPIENTS_WEEKLY: '',
      REPORT_LINK_TTL_SECONDS: '604800',
    });
    const ingest = environment(stack.ingest.stripeWebhookFunction.node.defaultChild as object);
    expect(ingest).toMatchObject({ METRICS_TIME_ZONE: 'Europe/Paris', ATTRIBUTION_WINDOW_DAYS: '14' });
  });

  it('keeps the archive private, encrypted, versioned and retained', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets.every((bucket) => bucket.DeletionPolicy === 'Retain')).toBe(true);
  });

  it('refuses a bad time zone, recipient or window at synth time', () => {
    expect(() => synth({ financeTimeZone: 'Mars/Olympus' })).toThrow(/IANA time zone/);
    expect(() => synth({ monthlyReportRecipients: 'not-an-address' })).toThrow(/not an email address/);
    expect(() => synth({ attributionWindowDays: '0' })).toThrow(/attributionWindowDays/);
  });
});
