import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildCollectionsApp } from '../../infra/collections-app.ts';
import { applyCompliance } from '../../infra/compliance.ts';

const partnerSource = 'aws.partner/stripe.com/ed_61SQ3kLLkdIwHu7ixTq9fV2WbM4nZ8Yc';

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as never);
}

function environmentOf(template: Template, construct: IConstruct): Record<string, unknown> {
  const resource = template.toJSON().Resources[logicalIdOf(construct)] as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  };
  return resource.Properties.Environment.Variables;
}

describe('billing ingest infrastructure', () => {
  it('runs a live deployment by default and a test one when the context says so', () => {
    // Prepare
    const live = buildCollectionsApp({ bundling: false });
    const test = buildCollectionsApp({ bundling: false, context: { billingMode: 'test' } });

    // Act
    const liveTemplate = Template.fromStack(live.stack);
    const testTemplate = Template.fromStack(test.stack);

    // Assess
    for (const fn of [live.stack.ingest.stripeWebhookFunction, live.stack.ingest.paddle.function]) {
      expect(environmentOf(liveTemplate, fn).BILLING_LIVEMODE).toBe('true');
    }
    expect(environmentOf(testTemplate, test.stack.ingest.inhouse.function).BILLING_LIVEMODE).toBe('false');
    expect(environmentOf(testTemplate, test.stack.stripeEventSync.reconcileFunction).BILLING_LIVEMODE).toBe(
      'false',
    );
  });

  it('fails the synth on a billing mode that is neither live nor test', () => {
    // Act & Assess
    expect(() => buildCollectionsApp({ bundling: false, context: { billingMode: 'production' } })).toThrow(
      'context "billingMode" must be "live" or "test", got "production"',
    );
  });

  it('reconciles Stripe events every hour through EventBridge Scheduler', () => {
    // Prepare
    const { stack } = buildCollectionsApp({ bundling: false });

    // Act
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack.stripeEventSync.reconcileFunction), 'Arn'] },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
      }),
    });
  });

  it('creates no event bus without a Stripe partner event source', () => {
    // Act
    const template = Template.fromStack(buildCollectionsApp({ bundling: false }).stack);

    // Assess
    template.resourceCountIs('AWS::Events::EventBus', 0);
  });

  it('wires a Stripe partner event bus to the same ingest core, with a dead-letter queue', () => {
    // Prepare
    const { stack } = buildCollectionsApp({
      bundling: false,
      context: { stripeEventSourceName: partnerSource },
    });

    // Act
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::Events::EventBus', {
      Name: partnerSource,
      EventSourceName: partnerSource,
    });
    const bridgeFunction = stack.stripeEventSync.eventBridgeFunction;
    if (bridgeFunction === undefined) throw new Error('no EventBridge function');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: [partnerSource] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(bridgeFunction), 'Arn'] },
          DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
        }),
      ],
    });
    expect(environmentOf(template, bridgeFunction).JOURNEY_STATE_MACHINE_ARN).toBeDefined();
  });

  it('refuses an event source that is not a Stripe partner source, at synth time', () => {
    // Act & Assess
    expect(() =>
      buildCollectionsApp({
        bundling: false,
        context: { stripeEventSourceName: 'aws.partner/example.com/x' },
      }),
    ).toThrow(/is not a Stripe partner event source/);
  });

  it('passes the AwsSolutions checks with the EventBridge option on', () => {
    // Prepare
    const { app } = buildCollectionsApp({
      bundling: false,
      context: { stripeEventSourceName: partnerSource },
    });

    // Act
    const packs = applyCompliance(app);

    // Assess
    for (const pack of packs) {
      const report = pack.validateScope(app);
      expect(report.violations.map((violation) => `${violation.ruleName}`)).toEqual([]);
    }
  });
});
