import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { buildCollectionsApp } from '../collections-app.ts';
import { channelTopicMetadataKey } from '../constructs/channel-events.ts';
import { projectFunctionEntryMetadataKey } from '../constructs/project-function.ts';

type TemplateValue = unknown;
interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, TemplateValue>;
  readonly Metadata?: Record<string, TemplateValue>;
}
interface CloudFormationTemplate {
  readonly Resources: Record<string, TemplateResource>;
}

/** An HTTP API route and the entry file of the function behind it. */
export interface SynthesizedRoute {
  /** e.g. `POST /webhooks/stripe` */
  readonly routeKey: string;
  readonly entry: string;
}

/** An EventBridge Scheduler schedule and the entry file of the function it invokes. */
export interface SynthesizedSchedule {
  readonly expression: string;
  readonly timeZone: string;
  readonly entry: string;
}

/** An SNS topic of the template (named by its `collections:topic` metadata) and its Lambda subscribers. */
export interface SynthesizedTopic {
  /** e.g. `inbound-sms` */
  readonly name: string;
  readonly logicalId: string;
  /** Entry files of the functions subscribed to it. */
  readonly entries: readonly string[];
}

/** What the local runtime takes from the synthesized CDK app, never from a hand-kept copy. */
export interface SynthesizedApp {
  /** The journey state machine's ASL, with references resolved to local names. */
  readonly journeyDefinition: StateMachineDefinition;
  readonly routes: readonly SynthesizedRoute[];
  readonly schedules: readonly SynthesizedSchedule[];
  /** Entry file of every function of the template. */
  readonly functionEntries: readonly string[];
  /** Named SNS topics and their subscribers (channel events, replies). */
  readonly topics: readonly SynthesizedTopic[];
}

export interface LocalNames {
  /** Name of the local DynamoDB table every table reference resolves to. */
  readonly tableName: string;
}

/** ARN the local runtime gives a Lambda function of the template (Task states are overridden anyway). */
export function localFunctionArn(logicalId: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;
}

/**
 * Resolves the intrinsic functions CDK leaves in a definition string: Fn::Join, Ref (pseudo
 * parameters, the table) and Fn::GetAtt (function ARNs). Anything else is a template this
 * runtime does not understand, and it says so rather than guessing.
 */
export function resolveIntrinsics(
  value: TemplateValue,
  template: CloudFormationTemplate,
  names: LocalNames,
): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record['Fn::Join'])) {
      const [separator, parts] = record['Fn::Join'] as [string, TemplateValue[]];
      return parts.map((part) => resolveIntrinsics(part, template, names)).join(separator);
    }
    if (typeof record.Ref === 'string') {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': 'us-east-1',
        'AWS::AccountId': '000000000000',
        'AWS::URLSuffix': 'amazonaws.com',
      };
      const ref = record.Ref;
      if (pseudo[ref]) return pseudo[ref];
      if (template.Resources[ref]?.Type === 'AWS::DynamoDB::Table') return names.tableName;
      return ref;
    }
    if (Array.isArray(record['Fn::GetAtt'])) {
      const [logicalId, attribute] = record['Fn::GetAtt'] as [string, string];
      const resource = template.Resources[logicalId];
      if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn')
        return localFunctionArn(logicalId);
      if (resource?.Type === 'AWS::DynamoDB::Table' && attribute === 'Arn') {
        return `arn:aws:dynamodb:us-east-1:000000000000:table/${names.tableName}`;
      }
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the synthesized template`);
}

function resourcesOfType(template: CloudFormationTemplate, type: string): [string, TemplateResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The entry file of the function a `Fn::GetAtt [id, Arn]` (or a string containing one) points at. */
function entryOfFunctionReference(reference: TemplateValue, template: CloudFormationTemplate): string {
  const text = JSON.stringify(reference);
  const logicalId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(text)?.[1];
  const resource = logicalId ? template.Resources[logicalId] : undefined;
  const entry = resource?.Metadata?.[projectFunctionEntryMetadataKey];
  if (resource?.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string') {
    throw new Error(`${text} does not point at a project function of the template`);
  }
  return entry;
}

/** Reads the parts of a synthesized template the local runtime runs. */
export function readSynthesizedTemplate(template: CloudFormationTemplate, names: LocalNames): SynthesizedApp {
  const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
  const [machine] = machines;
  if (machines.length !== 1 || machine === undefined) {
    throw new Error(`expected one state machine in the template, found ${machines.length}`);
  }
  const definition = JSON.parse(
    resolveIntrinsics(machine[1].Properties?.DefinitionString, template, names),
  ) as StateMachineDefinition;
  const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route')
    .map(([, route]) => {
      const integrationId = /"Ref":"([^"]+)"/.exec(JSON.stringify(route.Properties?.Target))?.[1];
      const integration = integrationId ? template.Resources[integrationId] : undefined;
      return {
        routeKey: String(route.Properties?.RouteKey),
        entry: entryOfFunctionReference(integration?.Properties?.IntegrationUri, template),
      };
    })
    .sort((a, b) => a.routeKey.localeCompare(b.routeKey));
  const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule').map(([, schedule]) => {
    const target = schedule.Properties?.Target as { Arn?: TemplateValue } | undefined;
    return {
      expression: String(schedule.Properties?.ScheduleExpression),
      timeZone: String(schedule.Properties?.ScheduleExpressionTimezone ?? 'UTC'),
      entry: entryOfFunctionReference(target?.Arn, template),
    };
  });
  const functionEntries = resourcesOfType(template, 'AWS::Lambda::Function')
    .map(([, fn]) => fn.Metadata?.[projectFunctionEntryMetadataKey])
    .filter((entry): entry is string => typeof entry === 'string')
    .sort();
  const topics = resourcesOfType(template, 'AWS::SNS::Topic')
    .map(([logicalId, topic]) => ({ logicalId, name: topic.Metadata?.[channelTopicMetadataKey] }))
    .filter((topic): topic is { logicalId: string; name: string } => typeof topic.name === 'string')
    .map(({ logicalId, name }) => ({
      name,
      logicalId,
      entries: resourcesOfType(template, 'AWS::SNS::Subscription')
        .filter(
          ([, subscription]) =>
            subscription.Properties?.Protocol === 'lambda' &&
            JSON.stringify(subscription.Properties.TopicArn) === JSON.stringify({ Ref: logicalId }),
        )
        .map(([, subscription]) => entryOfFunctionReference(subscription.Properties?.Endpoint, template))
        .sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { journeyDefinition: definition, routes, schedules, functionEntries, topics };
}

/**
 * Synthesizes the CDK app in this process, without bundling (fast, offline), and reads it.
 * This is what makes the local runtime run the very definition `cdk deploy` ships.
 */
export function synthesizeCollectionsApp(names: LocalNames): SynthesizedApp {
  const { app, stack } = buildCollectionsApp({ bundling: false });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as CloudFormationTemplate;
  return readSynthesizedTemplate(template, names);
}
