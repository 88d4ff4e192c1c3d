import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildCollectionsApp } from '../../infra/collections-app.ts';
import { applyCompliance } from '../../infra/compliance.ts';
import { financeReportConfigSchema, reportLinkConfigSchema } from '../../shared/config.ts';
import {
  aggregatesMismatchError,
  RebuildState,
  retryableRebuildErrors,
} from '../../workflows/rebuild-metric-aggregates.ts';

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
          retries: 2,
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
      REPORT_LINK_TTL_SECONDS: '2592000',
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

  describe('aggregates proof', () => {
    interface AslState {
      readonly Type: string;
      readonly Next?: string;
      readonly Default?: string;
      readonly Choices?: readonly { readonly Next: string }[];
      readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
      readonly Retry?: readonly { readonly ErrorEquals: readonly string[]; readonly MaxAttempts?: number }[];
      readonly Parameters?: Record<string, unknown>;
      readonly ItemSelector?: Record<string, unknown>;
      readonly ItemsPath?: string;
      readonly MaxConcurrency?: number;
      readonly ItemProcessor?: { readonly StartAt: string; readonly States: Record<string, AslState> };
      readonly Resource?: unknown;
      readonly Error?: string;
      readonly CausePath?: string;
    }
    const definitionOf = (synthesized: ReturnType<typeof synth>) => {
      const machine =
        synthesized.template.toJSON().Resources[
          synthesized.stack.getLogicalId(
            synthesized.stack.financeReports.rebuild.stateMachine.node.defaultChild as never,
          )
        ];
      // Only the function ARNs are intrinsics: render them as text so the definition parses.
      const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
      const text = parts.map((part) => (typeof part === 'string' ? part : 'arn:fn')).join('');
      return JSON.parse(text) as { StartAt: string; States: Record<string, AslState> };
    };
    const definition = definitionOf({ template, stack });
    const state = (name: string, states = definition.States): AslState => {
      const found = states[name];
      if (!found) throw new Error(`no state ${name}`);
      return found;
    };

    it('plans, then runs the claims pass and the records pass as Maps over the scan segments, then compares', () => {
      expect(definition.StartAt).toBe(RebuildState.plan);
      expect(state(RebuildState.plan).Parameters).toMatchObject({
        step: 'plan',
        'runId.$': '$$.Execution.Name',
        'input.$': '$',
        defaultSegments: 8,
      });
      expect(state(RebuildState.plan).Next).toBe(RebuildState.claimSegments);
      for (const [mapName, taskName, pass, next] of [
        [RebuildState.claimSegments, RebuildState.claimSegment, 'claims', RebuildState.recordSegments],
        [RebuildState.recordSegments, RebuildState.recordSegment, 'records', RebuildState.compare],
      ] as const) {
        const map = state(mapName);
        expect(map).toMatchObject({ Type: 'Map', ItemsPath: '$.segments', MaxConcurrency: 8, Next: next });
        expect(map.ItemSelector).toMatchObject({ step: 'segment', pass, 'segment.$': '$$.Map.Item.Value' });
        expect(map.ItemProcessor?.StartAt).toBe(taskName);
        expect(state(taskName, map.ItemProcessor?.States).Type).toBe('Task');
      }
      expect(state(RebuildState.compare).Parameters).toMatchObject({
        step: 'finish',
        'claimPartials.$': '$.claimPartials',
        'recordPartials.$': '$.recordPartials',
      });
      expect(state(RebuildState.compare).Next).toBe(RebuildState.cleanup);
    });

    it('retries each step on throttling and service errors only, and deletes the partials on any failure', () => {
      const tasks = [
        state(RebuildState.plan),
        state(RebuildState.claimSegment, state(RebuildState.claimSegments).ItemProcessor?.States),
        state(RebuildState.recordSegment, state(RebuildState.recordSegments).ItemProcessor?.States),
        state(RebuildState.compare),
        state(RebuildState.cleanup),
      ];
      for (const task of tasks) {
        const retried = (task.Retry ?? []).flatMap((retry) => retry.ErrorEquals);
        expect(retried).toEqual(
          expect.arrayContaining([...retryableRebuildErrors, 'Lambda.ServiceException']),
        );
        for (const never of ['States.ALL', 'States.Timeout', 'Sandbox.Timedout', aggregatesMismatchError]) {
          expect(retried).not.toContain(never);
        }
      }
      for (const name of [RebuildState.claimSegments, RebuildState.recordSegments, RebuildState.compare]) {
        expect(state(name).Catch).toEqual([
          expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: RebuildState.cleanup }),
        ]);
      }
      expect(state(RebuildState.cleanup).Next).toBe(RebuildState.outcome);
    });

    it('fails with MetricAggregatesMismatch when the cells differ and were not repaired', () => {
      const outcome = state(RebuildState.outcome);
      expect(outcome.Choices?.map((choice) => choice.Next)).toEqual([
        RebuildState.failed,
        RebuildState.proved,
      ]);
      expect(outcome.Default).toBe(RebuildState.differ);
      expect(state(RebuildState.differ)).toMatchObject({
        Type: 'Fail',
        Error: aggregatesMismatchError,
        CausePath: '$.result.summary',
      });
      expect(state(RebuildState.proved).Type).toBe('Succeed');
    });

    it('is started by the Sunday 03:00 schedule, whose role may start this state machine only', () => {
      const machineId = stack.getLogicalId(
        stack.financeReports.rebuild.stateMachine.node.defaultChild as never,
      );
      const resources = Object.values(template.toJSON().Resources) as {
        Type: string;
        Properties: {
          ScheduleExpression?: string;
          Target?: { Arn: unknown; RoleArn: { 'Fn::GetAtt': [string, string] } };
          Roles?: unknown;
          PolicyDocument?: { Statement: { Action: string | string[]; Resource: unknown }[] };
        };
      }[];
      const proof = resources.find(
        (resource) =>
          resource.Type === 'AWS::Scheduler::Schedule' &&
          resource.Properties.ScheduleExpression === 'cron(0 3 ? * SUN *)',
      );
      expect(proof?.Properties.Target?.Arn).toEqual({ Ref: machineId });
      const roleId = proof?.Properties.Target?.RoleArn['Fn::GetAtt'][0];
      const starts = resources
        .filter(
          (resource) =>
            resource.Type === 'AWS::IAM::Policy' &&
            JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
        )
        .flatMap((policy) => policy.Properties.PolicyDocument?.Statement ?? [])
        .filter((statement) => [statement.Action].flat().includes('states:StartExecution'));
      expect(starts.map((statement) => statement.Resource)).toEqual([{ Ref: machineId }]);
      for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/States',
          MetricName: metricName,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
        });
      }
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      });
    });

    it('takes the segments and their concurrency from the context, and refuses impossible ones', () => {
      const custom = definitionOf(synth({ rebuildSegments: '40', rebuildMaxConcurrency: 5 }));
      expect(custom.States[RebuildState.plan]?.Parameters?.defaultSegments).toBe(40);
      expect(custom.States[RebuildState.claimSegments]?.MaxConcurrency).toBe(5);
      expect(custom.States[RebuildState.recordSegments]?.MaxConcurrency).toBe(5);
      expect(() => synth({ rebuildSegments: '0' })).toThrow(
        /rebuildSegments must be an integer from 1 to 1000/,
      );
      expect(() => synth({ rebuildSegments: '1001' })).toThrow(/from 1 to 1000/);
      expect(() => synth({ rebuildMaxConcurrency: '2.5' })).toThrow(/whole number of segments/);
    });
  });

  describe('report links', () => {
    type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const logicalId = (construct: object) =>
      stack.getLogicalId((construct as { node: { defaultChild: never } }).node.defaultChild);
    const statementsOfFunction = (fn: object): Statement[] => {
      const role = (resources[logicalId(fn)]?.Properties.Role as { 'Fn::GetAtt'?: [string] } | undefined)?.[
        'Fn::GetAtt'
      ]?.[0];
      return Object.values(resources)
        .filter(
          (resource) =>
            resource.Type === 'AWS::IAM::Policy' &&
            JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: role }]),
        )
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    };
    const actionsOf = (statements: Statement[]) =>
      statements.flatMap((statement) => [statement.Action].flat());
    const { reportFunction, linkFunction, linkSigningKey, archiveBucket } = stack.financeReports;

    it('serves GET /reports/{token} and its files from the link function, without AWS auth', () => {
      for (const routeKey of ['GET /reports/{token}', 'GET /reports/{token}/{file}']) {
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: routeKey,
          AuthorizationType: 'NONE',
        });
      }
      const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).filter(
        (integration) =>
          JSON.stringify(integration.Properties.IntegrationUri).includes(logicalId(linkFunction)),
      );
      expect(integrations).toHaveLength(1);
      expect(integrations[0]?.Properties).toMatchObject({ PayloadFormatVersion: '2.0' });
    });

    it('signs links for 30 days by default with a generated key, and tells both functions where things are', () => {
      const environment = (fn: object) =>
        resources[logicalId(fn)]?.Properties.Environment as { Variables: Record<string, unknown> };
      const report = environment(reportFunction).Variables;
      expect(report.REPORT_LINK_TTL_SECONDS).toBe('2592000');
      expect(JSON.stringify(report.REPORT_LINK_BASE_URL)).toMatch(/reports"\]\]\}$/);
      expect(report.REPORT_LINK_SIGNING_KEY_SECRET_ARN).toEqual({
        Ref: stack.getLogicalId(linkSigningKey.node.defaultChild as never),
      });
      const link = environment(linkFunction).Variables;
      expect(link.REPORT_LINK_SIGNING_KEY_SECRET_ARN).toEqual(report.REPORT_LINK_SIGNING_KEY_SECRET_ARN);
      expect(link.REPORT_BUCKET_NAME).toEqual({
        Ref: stack.getLogicalId(archiveBucket.node.defaultChild as never),
      });
      expect(
        resources[stack.getLogicalId(linkSigningKey.node.defaultChild as never)]?.Properties,
      ).toMatchObject({
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
      // The deployed variables satisfy what each function validates at cold start (tokens stand in for values).
      const deployed = (variables: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(variables).map(([name, value]) => [
            name,
            typeof value === 'string'
              ? value
              : name.endsWith('_ARN')
                ? 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x'
                : name.endsWith('_URL')
                  ? 'https://api.example.com/reports'
                  : 'bucket-name',
          ]),
        );
      expect(financeReportConfigSchema.safeParse({ TABLE_NAME: 't', ...deployed(report) }).success).toBe(
        true,
      );
      expect(reportLinkConfigSchema.safeParse(deployed(link)).success).toBe(true);
    });

    it('lets the report function write the archive only, and the link function read reports/ only', () => {
      const bucketArnOf = (statement: Statement) => JSON.stringify(statement.Resource);
      const s3 = (statements: Statement[]) =>
        statements.filter((statement) => actionsOf([statement]).some((action) => action.startsWith('s3:')));
      const reportS3 = s3(statementsOfFunction(reportFunction));
      expect(actionsOf(reportS3)).toEqual(['s3:PutObject']);
      expect(bucketArnOf(reportS3[0] as Statement)).toContain('/reports/*');
      const linkS3 = s3(statementsOfFunction(linkFunction));
      expect(actionsOf(linkS3).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
      const list = linkS3.find((statement) => actionsOf([statement]).includes('s3:ListBucket'));
      expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['reports/*'] } });
      expect(
        bucketArnOf(linkS3.find((statement) => actionsOf([statement]).includes('s3:GetObject')) as Statement),
      ).toContain('/reports/*');
      // Neither writes the table or sends mail it has no business with.
      expect(
        actionsOf(statementsOfFunction(linkFunction)).filter((action) => /^(dynamodb|ses):/.test(action)),
      ).toEqual([]);
      for (const fn of [reportFunction, linkFunction]) {
        expect(
          statementsOfFunction(fn).some(
            (statement) =>
              actionsOf([statement]).includes('secretsmanager:GetSecretValue') &&
              JSON.stringify(statement.Resource) ===
                JSON.stringify({ Ref: stack.getLogicalId(linkSigningKey.node.defaultChild as never) }),
          ),
        ).toBe(true);
      }
    });

    it('takes the link lifetime from the reportLinkTtlDays context, within the archive retention', () => {
      const { template: ninety, stack: ninetyStack } = synth({ reportLinkTtlDays: '90' });
      const variables =
        ninety.toJSON().Resources[
          ninetyStack.getLogicalId(ninetyStack.financeReports.reportFunction.node.defaultChild as never)
        ].Properties.Environment.Variables;
      expect(variables.REPORT_LINK_TTL_SECONDS).toBe(String(90 * 86400));
      expect(() => synth({ reportLinkTtlDays: '0' })).toThrow(/from 1 hour to 400 days/);
      expect(() => synth({ reportLinkTtlDays: '401' })).toThrow(/from 1 hour to 400 days/);
      expect(() => synth({ reportLinkTtlDays: '7.5' })).toThrow(/whole number of days/);
    });

    it('reports no unacknowledged cdk-nag finding', () => {
      const { app } = buildCollectionsApp({ bundling: false, context: { reportLinkTtlDays: '90' } });
      for (const pack of applyCompliance(app)) {
        expect(pack.validateScope(app).violations.map((violation) => violation.ruleName)).toEqual([]);
      }
    });
  });
});
