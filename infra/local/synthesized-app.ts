import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { buildCollectionsApp } from '../collections-app.ts';
import { channelTopicMetadataKey } from '../constructs/channel-events.ts';
import { projectFunctionEntryMetadataKey } from '../constructs/project-function.ts';
import { WorkflowName, workflowMetadataKey } from '../constructs/workflow-metadata.ts';

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

/** An EventBridge Scheduler schedule and what it targets: a function's entry file, or a state machine. */
export type SynthesizedSchedule = {
  readonly expression: string;
  readonly timeZone: string;
  /** The target's `Input` (JSON text), when the schedule passes one. */
  readonly input?: string;
} & ({ readonly entry: string } | { readonly workflow: string });

/** A state machine of the template, named by its `collections:workflow` metadata. */
export interface SynthesizedWorkflow {
  readonly name: string;
  /** The ASL, with references resolved to local names. */
  readonly definition: StateMachineDefinition;
  /** The entry file of the function each Task state invokes, by state name (Map iterations included). */
  readonly taskEntries: Readonly<Record<string, string>>;
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
  /** Every state machine of the template, the journey included. */
  readonly workflows: readonly SynthesizedWorkflow[];
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

interface AslStates {
  readonly States: Record<
    string,
    { Type?: string; Resource?: string; ItemProcessor?: AslStates; Iterator?: AslStates }
  >;
}

/** Every Task state's function entry, found from its (resolved) Lambda ARN, nested Map states included. */
function taskEntriesOf(states: AslStates, template: CloudFormationTemplate): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [name, state] of Object.entries(states.States)) {
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) Object.assign(entries, taskEntriesOf(nested, template));
    if (state.Type !== 'Task') continue;
    const logicalId = state.Resource?.startsWith(localFunctionArn(''))
      ? state.Resource.slice(localFunctionArn('').length)
      : undefined;
    entries[name] = entryOfFunctionReference(
      logicalId ? { 'Fn::GetAtt': [logicalId, 'Arn'] } : state.Resource,
      template,
    );
  }
  return entries;
}

function readWorkflows(template: CloudFormationTemplate, names: LocalNames): SynthesizedWorkflow[] {
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([logicalId, machine]) => {
    const name = machine.Metadata?.[workflowMetadataKey];
    if (typeof name !== 'string')
      throw new Error(`state machine ${logicalId} has no ${workflowMetadataKey} name`);
    const definition = JSON.parse(
      resolveIntrinsics(machine.Properties?.DefinitionString, template, names),
    ) as StateMachineDefinition;
    return { name, definition, taskEntries: taskEntriesOf(definition as AslStates, template) };
  });
}

/** The name of the workflow a `{ Ref: <state machine> }` (a state machine's ARN) points at. */
function workflowOfReference(reference: TemplateValue, template: CloudFormationTemplate): string | undefined {
  const logicalId = (reference as { Ref?: unknown } | undefined)?.Ref;
  const resource = typeof logicalId === 'string' ? template.Resources[logicalId] : undefined;
  const name = resource?.Metadata?.[workflowMetadataKey];
  return resource?.Type === 'AWS::StepFunctions::StateMachine' && typeof name === 'string' ? name : undefined;
}

/** Reads the parts of a synthesized template the local runtime runs. */
export function readSynthesizedTemplate(template: CloudFormationTemplate, names: LocalNames): SynthesizedApp {
  const workflows = readWorkflows(template, names);
  const journey = workflows.find((workflow) => workflow.name === WorkflowName.journey);
  if (journey === undefined) throw new Error(`the template has no ${WorkflowName.journey} state machine`);
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
  const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule').map(
    ([, schedule]): SynthesizedSchedule => {
      const target = schedule.Properties?.Target as
        | { Arn?: TemplateValue; Input?: TemplateValue }
        | undefined;
      const workflow = workflowOfReference(target?.Arn, template);
      return {
        expression: String(schedule.Properties?.ScheduleExpression),
        timeZone: String(schedule.Properties?.ScheduleExpressionTimezone ?? 'UTC'),
        ...(workflow ? { workflow } : { entry: entryOfFunctionReference(target?.Arn, template) }),
        ...(typeof target?.Input === 'string' ? { input: target.Input } : {}),
      };
    },
  );
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
  return { journeyDefinition: journey.definition, workflows, routes, schedules, functionEntries, topics };
}

/**
 * Synthesizes the CDK app in this process, without bundling (fast, offline), and reads it.
 * This is what makes the local runtime run the very definition `cdk deploy` ships.
 */
export function synthesizeCollectionsApp(
  names: LocalNames,
  context?: Record<string, unknown>,
): SynthesizedApp {
  const { app, stack } = buildCollectionsApp({ bundling: false, ...(context ? { context } : {}) });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as CloudFormationTemplate;
  return readSynthesizedTemplate(template, names);
}
