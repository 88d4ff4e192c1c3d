import { type App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Registers the compliance rule packs on the app: AWS Solutions (cdk-nag 3, a CDK policy
 * validation plugin). Any finding that is not acknowledged with a reason fails the synth.
 * `infra/app.ts` and the infra tests call this same function, so the test sees what `cdk synth` sees.
 *
 * @returns the registered packs, so a test can run them directly with `validateScope`.
 */
export function applyCompliance(app: App): readonly NagPack[] {
  const packs = [new AwsSolutionsChecks(app, { verbose: true })];
  Validations.of(app).addPlugins(...packs);
  return packs;
}

/**
 * How cdk-nag prints a `Fn::GetAtt [resource, 'Arn']` in a finding id: `<LogicalId.Arn>`.
 * Acknowledgements name the exact resource so that a new wildcard elsewhere still fails the synth.
 */
export function nagArnReference(resource: IConstruct): string {
  const cfnElement = resource.node.defaultChild ?? resource;
  if (!(cfnElement instanceof CfnElement)) {
    throw new Error(`${resource.node.path} has no CloudFormation resource to reference`);
  }
  return `<${Stack.of(cfnElement).getLogicalId(cfnElement)}.Arn>`;
}

/** Acknowledges one AwsSolutions finding on a construct and everything under it. */
export function acknowledgeFinding(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${finding}`, reason });
}

/**
 * The findings every state machine of the product raises (Lambda tasks, X-Ray tracing, a log
 * group), acknowledged with their reasons: the task grants cover `<function arn>:*`, and the
 * X-Ray and log delivery actions have no resource-level permissions.
 */
export function acknowledgeStateMachineFindings(
  stateMachine: IConstruct,
  taskFunctions: readonly IConstruct[],
): void {
  for (const taskFunction of taskFunctions) {
    acknowledgeFinding(
      stateMachine,
      `IAM5[Resource::${nagArnReference(taskFunction)}:*]`,
      'The Lambda task grant also covers the versions and aliases of this one function (`<arn>:*`), so that a task can target a published version without a policy change.',
    );
  }
  acknowledgeFinding(
    stateMachine,
    'IAM5[Resource::*]',
    'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs vended delivery (logs:CreateLogDelivery and related) do not support resource-level permissions: AWS documents Resource "*" for them.',
  );
}
