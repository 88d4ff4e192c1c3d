import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCollectionsApp } from '../../infra/collections-app.ts';
import type { CollectionsStack } from '../../infra/collections-stack.ts';
import { applyCompliance } from '../../infra/compliance.ts';
import { WorkflowName, workflowMetadataKey } from '../../infra/constructs/workflow-metadata.ts';
import { tableSchema } from '../../shared/adapters/dynamodb/table-schema.ts';
import { ingestConfigSchema, sendConfigSchema, tableOnlyConfigSchema } from '../../shared/config.ts';
import { JourneyState } from '../../workflows/collection-journey.ts';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly {
    readonly Variable?: string;
    readonly StringEquals?: string;
    readonly Not?: { readonly Variable: string; readonly StringEquals?: string };
    readonly Next: string;
  }[];
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
  readonly Resource?: string;
  readonly TimestampPath?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultPath?: string;
  readonly OutputPath?: string;
}

interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Renders CloudFormation intrinsics as text (`{ Ref: X }` → `<X>`, `Fn::GetAtt` → `<X.Arn>`,
 * `Fn::Join` joined), so policies and the state machine definition can be compared as strings.
 */
function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(renderIntrinsic).join(',');
  if (isRecord(value)) {
    if ('Ref' in value) return `<${String(value.Ref)}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(String).join('.')}>`;
    const join = value['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      return join[1].map(renderIntrinsic).join(String(join[0]));
    }
  }
  return JSON.stringify(value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild ?? construct;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation element`);
  return Stack.of(element).getLogicalId(element);
}

function resourcesOfType(template: Template, type: string): Record<string, TemplateResource> {
  const resources: Record<string, Record<string, unknown>> = template.findResources(type);
  return Object.fromEntries(
    Object.entries(resources).map(([logicalId, resource]) => [logicalId, { ...resource, Type: type }]),
  );
}

function onlyResourceOfType(template: Template, type: string): [string, TemplateResource] {
  const entries = Object.entries(resourcesOfType(template, type));
  expect(entries).toHaveLength(1);
  const [entry] = entries;
  if (!entry) throw new Error(`no ${type}`);
  return entry;
}

/** Every Allow statement of every IAM policy attached to the role that `roleLogicalId` names. */
function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      asList(policy.Properties?.Roles).some((role) => renderIntrinsic(role) === `<${roleLogicalId}>`),
    )
    .flatMap((policy) => {
      const document = policy.Properties?.PolicyDocument;
      return isRecord(document) && Array.isArray(document.Statement)
        ? (document.Statement as PolicyStatement[])
        : [];
    });
}

function allStatements(template: Template): PolicyStatement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap((policy) => {
    const document = policy.Properties?.PolicyDocument;
    return isRecord(document) && Array.isArray(document.Statement)
      ? (document.Statement as PolicyStatement[])
      : [];
  });
}

function grantsAction(statement: PolicyStatement, action: string): boolean {
  return statement.Effect === 'Allow' && asList(statement.Action).includes(action);
}

function roleLogicalIdOf(template: Template, functionLogicalId: string): string {
  const fn = template.toJSON().Resources[functionLogicalId] as TemplateResource;
  return renderIntrinsic(fn.Properties?.Role).replace(/^<(.*)\.Arn>$/, '$1');
}

function environmentOf(template: Template, functionLogicalId: string): Record<string, unknown> {
  const fn = template.toJSON().Resources[functionLogicalId] as TemplateResource;
  const environment = fn.Properties?.Environment;
  if (!isRecord(environment) || !isRecord(environment.Variables)) throw new Error('no environment');
  return environment.Variables;
}

/** The environment as the function would see it, with each reference replaced by a plausible value. */
function deployedEnvironment(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `arn:aws:test:::${renderIntrinsic(value)}`,
    ]),
  );
}

/** The journey's definition (the template also holds the rebuild's state machine). */
function parseDefinition(template: Template): AslDefinition {
  const journeys = Object.values(resourcesOfType(template, 'AWS::StepFunctions::StateMachine')).filter(
    (machine) =>
      (machine as { Metadata?: Record<string, unknown> }).Metadata?.[workflowMetadataKey] ===
      WorkflowName.journey,
  );
  expect(journeys).toHaveLength(1);
  return JSON.parse(renderIntrinsic(journeys[0]?.Properties?.DefinitionString)) as AslDefinition;
}

function stateNamed(definition: AslDefinition, name: string): AslState {
  const state = definition.States[name];
  if (!state) throw new Error(`no state ${name}`);
  return state;
}

function transitionsOf(state: AslState): string[] {
  return [
    ...(state.Next ? [state.Next] : []),
    ...(state.Default ? [state.Default] : []),
    ...(state.Choices ?? []).map((choice) => choice.Next),
    ...(state.Catch ?? []).map((handler) => handler.Next),
  ];
}

describe('CollectionsStack', () => {
  let stack: CollectionsStack;
  let template: Template;

  beforeAll(() => {
    ({ stack } = buildCollectionsApp({ bundling: false }));
    template = Template.fromStack(stack);
  });

  describe('collections table', () => {
    it('retains the table on stack deletion and replacement', () => {
      const [, table] = onlyResourceOfType(template, 'AWS::DynamoDB::Table');
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    });

    it('turns on point-in-time recovery, deletion protection and on-demand billing', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('encrypts at rest with the AWS-managed KMS key', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
      });
    });

    it('builds its keys and global secondary indexes from tableSchema', () => {
      const indexes = Object.values(tableSchema.indexes);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        AttributeDefinitions: Match.arrayWith(
          indexes.flatMap((index) => [
            { AttributeName: index.partitionKey, AttributeType: 'S' },
            { AttributeName: index.sortKey, AttributeType: 'S' },
          ]),
        ),
      });
    });
  });

  describe('functions', () => {
    it('creates the seventeen functions of the product', () => {
      expect(Object.keys(resourcesOfType(template, 'AWS::Lambda::Function'))).toHaveLength(17);
    });

    it('runs every function on Node.js 22, arm64, with X-Ray tracing and source maps', () => {
      for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
          Environment: {
            Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'collections' },
          },
        });
      }
    });

    it('logs every function to its own log group kept for one month', () => {
      const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
      const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'));
      const used = functions.map((fn) => {
        const loggingConfig = fn.Properties?.LoggingConfig;
        return isRecord(loggingConfig) ? renderIntrinsic(loggingConfig.LogGroup).slice(1, -1) : '';
      });
      expect(new Set(used).size).toBe(functions.length);
      for (const logGroupId of used) {
        expect(logGroups[logGroupId]?.Properties?.RetentionInDays).toBe(30);
      }
    });

    it('lets each function write logs to its own log group only, without AWS managed policies', () => {
      for (const [functionId, fn] of Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'))) {
        const roleId = roleLogicalIdOf(template, functionId);
        const role = template.toJSON().Resources[roleId] as TemplateResource;
        expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
        const logGroupId = isRecord(fn.Properties?.LoggingConfig)
          ? renderIntrinsic(fn.Properties.LoggingConfig.LogGroup).slice(1, -1)
          : '';
        const logWrites = statementsOfRole(template, roleId).filter((statement) =>
          grantsAction(statement, 'logs:PutLogEvents'),
        );
        expect(logWrites.map((statement) => renderIntrinsic(statement.Resource))).toEqual([
          `<${logGroupId}.Arn>`,
        ]);
      }
    });

    it('gives every function the environment its config module requires', () => {
      const contracts = [
        [stack.ingest.stripeWebhookFunction, ingestConfigSchema],
        [stack.journeys.planFunction, tableOnlyConfigSchema],
        [stack.journeys.sendFunction, sendConfigSchema],
        [stack.metrics.getMetricsFunction, tableOnlyConfigSchema],
      ] as const;
      for (const [fn, schema] of contracts) {
        const variables = environmentOf(template, logicalIdOf(fn));
        expect(schema.safeParse(deployedEnvironment(variables)).success, fn.node.path).toBe(true);
        expect(renderIntrinsic(variables.TABLE_NAME)).toBe(`<${logicalIdOf(stack.data.table)}>`);
      }
    });

    it('tells the ingest function which state machine and secret to use', () => {
      const variables = environmentOf(template, logicalIdOf(stack.ingest.stripeWebhookFunction));
      expect(renderIntrinsic(variables.JOURNEY_STATE_MACHINE_ARN)).toBe(
        `<${logicalIdOf(stack.journeys.stateMachine)}>`,
      );
      expect(renderIntrinsic(variables.STRIPE_WEBHOOK_SECRET_ARN)).toBe(
        `<${logicalIdOf(stack.ingest.stripeWebhookSecret)}>`,
      );
    });
  });

  describe('journey state machine', () => {
    it('is a Standard workflow with X-Ray tracing', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
      });
    });

    it('logs every event to its log group without execution data (personal data)', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [
            {
              CloudWatchLogsLogGroup: {
                LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(stack.journeys.logGroup), 'Arn'] },
              },
            },
          ],
        },
      });
    });

    it('alarms when an execution fails or times out', () => {
      const stateMachineId = logicalIdOf(stack.journeys.stateMachine);
      for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/States',
          MetricName: metricName,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    });

    it('starts by planning, and waits until the timestamp the planner returned', () => {
      const definition = parseDefinition(template);
      expect(definition.StartAt).toBe(JourneyState.plan);
      expect(stateNamed(definition, JourneyState.plan).Next).toBe(JourneyState.isOver);
      const wait = stateNamed(definition, JourneyState.wait);
      expect(wait.Type).toBe('Wait');
      expect(wait.TimestampPath).toBe('$.plan.at');
      expect(wait.Next).toBe(JourneyState.send);
    });

    it('ends when the plan says so, and otherwise waits', () => {
      const definition = parseDefinition(template);
      const isOver = stateNamed(definition, JourneyState.isOver);
      expect(isOver.Choices).toEqual([
        { Variable: '$.plan.action', StringEquals: 'end', Next: JourneyState.ended },
      ]);
      expect(isOver.Default).toBe(JourneyState.wait);
      expect(stateNamed(definition, JourneyState.ended).Type).toBe('Succeed');
    });

    it('passes the whole plan to the act step, which answers with the next state and loops to the choice', () => {
      const definition = parseDefinition(template);
      const send = stateNamed(definition, JourneyState.send);
      expect(send.Parameters).toEqual({ 'caseId.$': '$.caseId', 'plan.$': '$.plan' });
      expect(send.ResultPath).toBe('$.next');
      expect(send.OutputPath).toBe('$.next');
      expect(send.Next).toBe(JourneyState.isOver);
    });

    it('costs three state transitions per step: Wait, act-and-plan, IsJourneyOver', () => {
      const definition = parseDefinition(template);
      const loop = [JourneyState.isOver, JourneyState.wait, JourneyState.send];
      expect(stateNamed(definition, JourneyState.isOver).Default).toBe(loop[1]);
      expect(stateNamed(definition, JourneyState.wait).Next).toBe(loop[2]);
      expect(stateNamed(definition, JourneyState.send).Next).toBe(loop[0]);
      expect(Object.keys(definition.States)).toHaveLength(6);
    });

    it('invokes the plan and send functions of this stack', () => {
      const definition = parseDefinition(template);
      expect(stateNamed(definition, JourneyState.plan).Resource).toBe(
        `<${logicalIdOf(stack.journeys.planFunction)}.Arn>`,
      );
      expect(stateNamed(definition, JourneyState.send).Resource).toBe(
        `<${logicalIdOf(stack.journeys.sendFunction)}.Arn>`,
      );
    });

    it('retries every task and catches what is left into the failure state', () => {
      const definition = parseDefinition(template);
      const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
      expect(tasks.map(([name]) => name).sort()).toEqual([JourneyState.plan, JourneyState.send].sort());
      for (const [, task] of tasks) {
        expect(task.Retry?.some((retry) => retry.ErrorEquals.includes('States.ALL'))).toBe(true);
        expect(task.Catch).toEqual([
          expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: JourneyState.failed }),
        ]);
      }
      expect(stateNamed(definition, JourneyState.failed).Type).toBe('Fail');
    });

    it('has no dangling transition and no unreachable state, and ends only in Succeed or Fail', () => {
      const definition = parseDefinition(template);
      const names = Object.keys(definition.States);
      const reachable = new Set<string>();
      const toVisit = [definition.StartAt];
      for (let name = toVisit.pop(); name !== undefined; name = toVisit.pop()) {
        if (reachable.has(name)) continue;
        reachable.add(name);
        toVisit.push(...transitionsOf(stateNamed(definition, name)));
      }
      expect([...reachable].sort()).toEqual([...names].sort());
      for (const state of Object.values(definition.States)) {
        if (transitionsOf(state).length === 0) expect(['Succeed', 'Fail']).toContain(state.Type);
      }
    });
  });

  describe('metrics API', () => {
    it('keeps no daily cohort job: every schedule is a report, the aggregates proof, reconciliation or the portal', () => {
      const targets = Object.values(resourcesOfType(template, 'AWS::Scheduler::Schedule')).map((schedule) =>
        renderIntrinsic((schedule.Properties?.Target as { Arn?: unknown } | undefined)?.Arn),
      );
      const allowed = [
        ...[
          stack.financeReports.reportFunction,
          stack.stripeEventSync.reconcileFunction,
          stack.portal.commitmentsFunction,
        ].map((fn) => `<${logicalIdOf(fn)}.Arn>`),
        // The proof starts its state machine (its ARN is the resource's Ref).
        `<${logicalIdOf(stack.financeReports.rebuild.stateMachine)}>`,
      ];
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(allowed).toContain(target);
      const entries = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).map((fn) =>
        String(fn.Properties?.Description),
      );
      expect(entries.some((description) => /recomputes the recovery metrics/.test(description))).toBe(false);
    });

    it('still reads the metricsScheduleTimeZone context as the finance time zone', () => {
      const { stack: parisStack } = buildCollectionsApp({
        bundling: false,
        context: { metricsScheduleTimeZone: 'Europe/Paris' },
      });
      const paris = Template.fromStack(parisStack);
      paris.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpressionTimezone: 'Europe/Paris' });
      const variables = environmentOf(paris, logicalIdOf(parisStack.metrics.getMetricsFunction));
      expect(variables.METRICS_TIME_ZONE).toBe('Europe/Paris');
    });

    it('refuses a time zone that does not exist at synth time', () => {
      expect(() =>
        buildCollectionsApp({ bundling: false, context: { metricsScheduleTimeZone: 'Mars/Olympus' } }),
      ).toThrow(/Mars\/Olympus.*IANA/);
    });
  });

  describe('HTTP API', () => {
    function integrationTarget(routeKey: string): string {
      const route = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).find(
        (candidate) => candidate.Properties?.RouteKey === routeKey,
      );
      if (!route) throw new Error(`no route ${routeKey}`);
      const integrationId = renderIntrinsic(route.Properties?.Target).replace(/^integrations\/<(.*)>$/, '$1');
      const integration = template.toJSON().Resources[integrationId] as TemplateResource;
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
      return renderIntrinsic(integration.Properties?.IntegrationUri);
    }

    it('routes POST /webhooks/stripe to the ingest function, authenticated by the Stripe signature only', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'POST /webhooks/stripe',
        AuthorizationType: 'NONE',
      });
      expect(integrationTarget('POST /webhooks/stripe')).toBe(
        `<${logicalIdOf(stack.ingest.stripeWebhookFunction)}.Arn>`,
      );
    });

    it('routes GET /api/metrics to the metrics function behind IAM authorization', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'GET /api/metrics',
        AuthorizationType: 'AWS_IAM',
      });
      expect(integrationTarget('GET /api/metrics')).toBe(
        `<${logicalIdOf(stack.metrics.getMetricsFunction)}.Arn>`,
      );
    });

    it('exposes no other route', () => {
      const routeKeys = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map(
        (route) => route.Properties?.RouteKey,
      );
      expect(routeKeys.sort()).toEqual([
        'ANY /portal/{proxy+}',
        'GET /api/metrics',
        'GET /reports/{token}',
        'GET /reports/{token}/{file}',
        'POST /webhooks/chargebee',
        'POST /webhooks/inhouse',
        'POST /webhooks/paddle',
        'POST /webhooks/stripe',
      ]);
    });

    it('throttles and access-logs the default stage', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [logicalIdOf(stack.httpApi.accessLogGroup), 'Arn'] },
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
      });
    });
  });

  describe('least privilege', () => {
    it('lets only the send function, the portal (fresh links, instalment reminders) and the finance reports call ses:SendEmail, on the sender identity and configuration set only', () => {
      const senders = [
        stack.journeys.sendFunction,
        stack.portal.portalFunction,
        stack.portal.commitmentsFunction,
        stack.financeReports.reportFunction,
      ];
      const sesStatements = allStatements(template).filter((statement) =>
        asList(statement.Action).some((action) => String(action).startsWith('ses:')),
      );
      expect(sesStatements).toHaveLength(senders.length);
      for (const sender of senders) {
        const statements = statementsOfRole(template, roleLogicalIdOf(template, logicalIdOf(sender)));
        expect(
          sesStatements.some((statement) =>
            statements.some((own) => JSON.stringify(own) === JSON.stringify(statement)),
          ),
        ).toBe(true);
      }
      for (const sesStatement of sesStatements) {
        expect(sesStatement.Action).toBe('ses:SendEmail');
        expect(asList(sesStatement.Resource).map(renderIntrinsic).sort()).toEqual(
          [
            `arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:configuration-set/<${logicalIdOf(stack.messaging.configurationSet)}>`,
            `arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/<${logicalIdOf(stack.messaging.emailIdentity)}>`,
          ].sort(),
        );
      }
    });

    const ingestFunctions = () => [
      stack.ingest.stripeWebhookFunction,
      stack.ingest.paddle.function,
      stack.ingest.chargebee.function,
      stack.ingest.inhouse.function,
      stack.stripeEventSync.reconcileFunction,
    ];

    it('lets only the ingest and reply functions start journeys, on the journey state machine only', () => {
      const starts = allStatements(template).filter((statement) =>
        grantsAction(statement, 'states:StartExecution'),
      );
      const journeyStarts = starts.filter(
        (start) => renderIntrinsic(start.Resource) === `<${logicalIdOf(stack.journeys.stateMachine)}>`,
      );
      const replyFunctions = [
        stack.channelEvents.inboundSmsFunction,
        stack.channelEvents.whatsAppEventsFunction,
      ];
      expect(journeyStarts).toHaveLength(ingestFunctions().length + replyFunctions.length);
      // The only other start: the finance scheduler's, of the aggregates proof.
      expect(
        starts
          .filter((start) => !journeyStarts.includes(start))
          .map((start) => renderIntrinsic(start.Resource)),
      ).toEqual([`<${logicalIdOf(stack.financeReports.rebuild.stateMachine)}>`]);
      for (const fn of [...ingestFunctions(), ...replyFunctions]) {
        const statements = statementsOfRole(template, roleLogicalIdOf(template, logicalIdOf(fn)));
        expect(statements.some((statement) => grantsAction(statement, 'states:StartExecution'))).toBe(true);
      }
    });

    it('lets each ingest function read its own provider secret only', () => {
      const readable = (fn: IConstruct) =>
        statementsOfRole(template, roleLogicalIdOf(template, logicalIdOf(fn)))
          .filter((statement) => grantsAction(statement, 'secretsmanager:GetSecretValue'))
          .map((statement) => renderIntrinsic(statement.Resource))
          .sort();
      const secret = (construct: IConstruct) => `<${logicalIdOf(construct)}>`;
      expect(readable(stack.ingest.stripeWebhookFunction)).toEqual(
        [secret(stack.ingest.stripeWebhookSecret), secret(stack.ingest.stripeApiKeySecret)].sort(),
      );
      expect(readable(stack.ingest.paddle.function)).toEqual([secret(stack.ingest.paddle.secret)]);
      expect(readable(stack.ingest.chargebee.function)).toEqual([secret(stack.ingest.chargebee.secret)]);
      expect(readable(stack.ingest.inhouse.function)).toEqual([secret(stack.ingest.inhouse.secret)]);
      expect(readable(stack.stripeEventSync.reconcileFunction)).toEqual([
        secret(stack.ingest.stripeApiKeySecret),
      ]);
      // No other function reads the provider secrets.
      for (const providerSecret of [
        stack.ingest.stripeWebhookSecret,
        stack.ingest.paddle.secret,
        stack.ingest.chargebee.secret,
        stack.ingest.inhouse.secret,
      ]) {
        const reads = allStatements(template).filter(
          (statement) =>
            grantsAction(statement, 'secretsmanager:GetSecretValue') &&
            renderIntrinsic(statement.Resource) === secret(providerSecret),
        );
        expect(reads).toHaveLength(1);
      }
    });

    it('lets only the ingest function read the Stripe signing secret', () => {
      const reads = allStatements(template).filter(
        (statement) =>
          grantsAction(statement, 'secretsmanager:GetSecretValue') &&
          renderIntrinsic(statement.Resource) === `<${logicalIdOf(stack.ingest.stripeWebhookSecret)}>`,
      );
      expect(reads).toHaveLength(1);
      const ingestRoleId = roleLogicalIdOf(template, logicalIdOf(stack.ingest.stripeWebhookFunction));
      expect(statementsOfRole(template, ingestRoleId)).toContainEqual(reads[0]);
    });

    it('tells the act step and the portal where the one Stripe API key is', () => {
      for (const fn of [
        stack.journeys.sendFunction,
        stack.portal.portalFunction,
        stack.portal.commitmentsFunction,
      ]) {
        const variables = environmentOf(template, logicalIdOf(fn));
        expect(renderIntrinsic(variables.STRIPE_API_KEY_SECRET_ARN)).toBe(
          `<${logicalIdOf(stack.ingest.stripeApiKeySecret)}>`,
        );
      }
      // One key for the whole product: no other Stripe key secret exists.
      const stripeKeys = Object.values(resourcesOfType(template, 'AWS::SecretsManager::Secret')).filter(
        (secret) => String(secret.Properties?.Description ?? '').includes('Stripe API key'),
      );
      expect(stripeKeys).toHaveLength(1);
    });

    it('lets only the functions that call Stripe read the Stripe API key, and the link signers the signing key', () => {
      const readersOf = (secret: IConstruct): string[] =>
        Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))
          .filter(([, policy]) =>
            (
              (policy.Properties?.PolicyDocument as { Statement?: PolicyStatement[] } | undefined)
                ?.Statement ?? []
            ).some(
              (statement) =>
                grantsAction(statement, 'secretsmanager:GetSecretValue') &&
                renderIntrinsic(statement.Resource) === `<${logicalIdOf(secret)}>`,
            ),
          )
          .flatMap(([, policy]) => asList(policy.Properties?.Roles).map(renderIntrinsic))
          .sort();
      const roleOf = (fn: IConstruct) => `<${roleLogicalIdOf(template, logicalIdOf(fn))}>`;
      const { portalFunction, commitmentsFunction } = stack.portal;
      expect(readersOf(stack.ingest.stripeApiKeySecret)).toEqual(
        [
          roleOf(stack.ingest.stripeWebhookFunction),
          roleOf(stack.stripeEventSync.reconcileFunction),
          ...(stack.stripeEventSync.eventBridgeFunction
            ? [roleOf(stack.stripeEventSync.eventBridgeFunction)]
            : []),
          roleOf(portalFunction),
          roleOf(commitmentsFunction),
          roleOf(stack.journeys.sendFunction),
        ].sort(),
      );
      expect(readersOf(stack.portal.signingKey)).toEqual(
        [roleOf(portalFunction), roleOf(commitmentsFunction), roleOf(stack.journeys.sendFunction)].sort(),
      );
    });

    it('gives the read-only functions no write access to the table', () => {
      for (const fn of [stack.journeys.planFunction, stack.metrics.getMetricsFunction]) {
        const statements = statementsOfRole(template, roleLogicalIdOf(template, logicalIdOf(fn)));
        for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
          expect(statements.some((statement) => grantsAction(statement, action))).toBe(false);
        }
      }
    });

    it('grants Resource "*" only to X-Ray and log delivery actions, which have no resource-level permissions', () => {
      const unscopedActions = allStatements(template)
        .filter((statement) => asList(statement.Resource).includes('*'))
        .flatMap((statement) => asList(statement.Action).map(String));
      expect(unscopedActions.length).toBeGreaterThan(0);
      for (const action of unscopedActions) {
        expect(action).toMatch(
          /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|DeleteLogDelivery|DescribeLogGroups|DescribeResourcePolicies|GetLogDelivery|ListLogDeliveries|PutResourcePolicy|UpdateLogDelivery))$/,
        );
      }
    });

    it('grants no action wildcard anywhere', () => {
      const actions = allStatements(template).flatMap((statement) => asList(statement.Action).map(String));
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    });
  });

  describe('Stripe webhook secret', () => {
    it('is created empty: no value in the template and none generated', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        SecretString: Match.absent(),
        GenerateSecretString: Match.absent(),
      });
    });
  });

  describe('debtor portal', () => {
    it('serves the portal function behind ANY /portal/{proxy+} with payload format 2.0', () => {
      const [routeEntry] = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).filter(
        (route) => route.Properties?.RouteKey === 'ANY /portal/{proxy+}',
      );
      expect(routeEntry?.Properties?.AuthorizationType).toBe('NONE');
      const integrationId = renderIntrinsic(routeEntry?.Properties?.Target).replace(
        /^integrations\/<|>$/g,
        '',
      );
      const integration = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')[integrationId];
      expect(integration?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
      expect(renderIntrinsic(integration?.Properties?.IntegrationUri)).toBe(
        `<${logicalIdOf(stack.portal.portalFunction)}.Arn>`,
      );
    });

    it('generates the link signing key and creates the Stripe API key empty', () => {
      const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret');
      expect(secrets[logicalIdOf(stack.portal.signingKey)]?.Properties).toMatchObject({
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
      const stripeKey = secrets[logicalIdOf(stack.ingest.stripeApiKeySecret)]?.Properties ?? {};
      expect(stripeKey).not.toHaveProperty('GenerateSecretString');
      expect(stripeKey).not.toHaveProperty('SecretString');
    });

    it('runs the commitments job every hour and tells the functions where the portal is', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(1 hour)',
        Target: { Arn: { 'Fn::GetAtt': [logicalIdOf(stack.portal.commitmentsFunction), 'Arn'] } },
      });
      for (const fn of [
        stack.portal.portalFunction,
        stack.portal.commitmentsFunction,
        stack.journeys.sendFunction,
      ]) {
        const environment = environmentOf(template, logicalIdOf(fn));
        expect(renderIntrinsic(environment.PORTAL_BASE_URL)).toMatch(/\/portal$/);
        expect(renderIntrinsic(environment.PORTAL_SIGNING_KEY_SECRET_ARN)).toBe(
          `<${logicalIdOf(stack.portal.signingKey)}>`,
        );
      }
      expect(environmentOf(template, logicalIdOf(stack.portal.portalFunction))).toHaveProperty(
        'STRIPE_API_KEY_SECRET_ARN',
      );
    });

    it('lets DynamoDB expire rate-limit counters and old links through the ttl attribute', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      });
    });

    it('serves the portal on a custom domain when one is given, and refuses half a configuration', () => {
      const certificateArn =
        'arn:aws:acm:eu-west-1:123456789012:certificate/0f8c0e2a-1d6b-4a55-9d9b-3c1a2b3c4d5e';
      const { stack: custom } = buildCollectionsApp({
        bundling: false,
        context: { portalDomainName: 'pay.acme.test', portalCertificateArn: certificateArn },
      });
      const customTemplate = Template.fromStack(custom);
      customTemplate.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: 'pay.acme.test',
        DomainNameConfigurations: [Match.objectLike({ CertificateArn: certificateArn })],
      });
      customTemplate.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
      customTemplate.hasOutput('PortalUrl', { Value: 'https://pay.acme.test/portal' });
      expect(environmentOf(customTemplate, logicalIdOf(custom.journeys.sendFunction)).PORTAL_BASE_URL).toBe(
        'https://pay.acme.test/portal',
      );
      expect(() =>
        buildCollectionsApp({ bundling: false, context: { portalDomainName: 'pay.acme.test' } }),
      ).toThrow(/portalCertificateArn/);
    });
  });

  describe('outputs', () => {
    it('outputs the API and webhook URLs, the state machine and secret ARNs, the table name, the channel settings and the report archive', () => {
      expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
        [
          'ApiUrl',
          'ReportArchiveBucketName',
          'ChargebeeWebhookUrl',
          'InhouseWebhookUrl',
          'JourneyStateMachineArn',
          'MetricRebuildStateMachineArn',
          'PaddleWebhookUrl',
          'InboundSmsTopicArn',
          'PortalUrl',
          'StripeApiKeySecretArn',
          'SmsConfigurationSetName',
          'WhatsAppEventsTopicArn',
          'StripeWebhookSecretArn',
          'StripeWebhookUrl',
          'TableName',
        ].sort(),
      );
      template.hasOutput('StripeWebhookUrl', {
        Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/webhooks/stripe$')])] },
      });
    });
  });

  describe('configuration from CDK context', () => {
    it('sends from the senderEmail given in context', () => {
      const { stack: customStack } = buildCollectionsApp({
        bundling: false,
        context: { senderEmail: 'collections@acme.test' },
      });
      const customTemplate = Template.fromStack(customStack);
      customTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: 'collections@acme.test',
      });
      expect(environmentOf(customTemplate, logicalIdOf(customStack.journeys.sendFunction)).SENDER_EMAIL).toBe(
        'collections@acme.test',
      );
    });

    it('sends from billing@example.com by default', () => {
      template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'billing@example.com' });
    });

    it('names the SES configuration set from context', () => {
      const { stack: customStack } = buildCollectionsApp({
        bundling: false,
        context: { sesConfigurationSetName: 'collections-journeys' },
      });
      Template.fromStack(customStack).hasResourceProperties('AWS::SES::ConfigurationSet', {
        Name: 'collections-journeys',
      });
    });

    it('refuses a sender that is not an email address at synth time', () => {
      expect(() => buildCollectionsApp({ bundling: false, context: { senderEmail: 'billing' } })).toThrow(
        /senderEmail "billing"/,
      );
    });
  });
});

describe('compliance (cdk-nag AwsSolutions)', () => {
  it('reports no unacknowledged finding', () => {
    const { app } = buildCollectionsApp({ bundling: false });
    const packs = applyCompliance(app);
    expect(packs.length).toBeGreaterThan(0);
    for (const pack of packs) {
      const report = pack.validateScope(app);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it('gives every acknowledgement a reason', () => {
    const { app } = buildCollectionsApp({ bundling: false });
    const acknowledgements = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(isRecord(entry.data) ? entry.data : {}));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [ruleId, reason] of acknowledgements) {
      expect(ruleId).toMatch(/AwsSolutions-/);
      expect(String(reason).length, ruleId).toBeGreaterThan(60);
    }
  });

  it('synthesizes with the checks applied', () => {
    const { app } = buildCollectionsApp({ bundling: false });
    applyCompliance(app);
    expect(() => app.synth()).not.toThrow();
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const { app, stack } = buildCollectionsApp({ bundling: false });
    new Table(stack, 'TableWithoutRecovery', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    applyCompliance(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });
});
