import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildCollectionsApp } from '../../infra/collections-app.ts';
import { applyCompliance } from '../../infra/compliance.ts';
import { channelTopicMetadataKey } from '../../infra/constructs/channel-events.ts';
import {
  inboundSmsConfigSchema,
  tableOnlyConfigSchema,
  whatsAppEventsConfigSchema,
} from '../../shared/config.ts';

const configured = {
  smsOriginationIdentity: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  whatsAppPhoneNumberId: 'phone-number-id-976c72a700aac43eaf573ae050example',
  whatsAppBusinessAccountId: 'waba-fb2594b8a7974770b128a409e2example',
  supportContact: 'support@acme.example',
  senderName: 'Acme Billing',
};

function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild ?? construct;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation element`);
  return Stack.of(element).getLogicalId(element);
}

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

/** Every statement of every IAM policy attached to a function's role. */
function roleStatements(template: Template, functionLogicalId: string): Statement[] {
  const fn = template.toJSON().Resources[functionLogicalId] as {
    Properties: { Role: { 'Fn::GetAtt': string[] } };
  };
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  return policies
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
}

describe('ChannelEvents', () => {
  const { stack } = buildCollectionsApp({ bundling: false, context: configured });
  const template = Template.fromStack(stack);
  const channels = stack.channelEvents;

  it('creates one encrypted topic per event source, named for the local runtime', () => {
    const topics = template.findResources('AWS::SNS::Topic');
    const names = Object.values(topics).map(
      (topic) => (topic as { Metadata: Record<string, string> }).Metadata[channelTopicMetadataKey],
    );
    expect(names.sort()).toEqual(['inbound-sms', 'ses-events', 'sms-voice-events', 'whatsapp-events']);
    for (const topic of Object.values(topics)) {
      expect((topic as { Properties: { KmsMasterKeyId: unknown } }).Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [logicalIdOf(channels.key), 'Arn'],
      });
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it.each([
    ['sms-voice-events', 'sms-voice.amazonaws.com'],
    ['inbound-sms', 'sms-voice.amazonaws.com'],
    ['ses-events', 'ses.amazonaws.com'],
    ['whatsapp-events', 'social-messaging.amazonaws.com'],
  ] as const)('lets only %s be published by %s of this account, over TLS only', (name, service) => {
    const topicId = logicalIdOf(channels.topics[name]);
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter((policy) =>
      JSON.stringify((policy as { Properties: { Topics: unknown } }).Properties.Topics).includes(topicId),
    ) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement ?? [];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 'sns:Publish', Principal: { Service: service } });
    // Confused-deputy protection: the service acting for this account (SES: for this configuration set).
    expect(JSON.stringify(allows[0]?.Condition)).toMatch(/"aws:SourceAccount":\{"Ref":"AWS::AccountId"\}/i);
    if (name === 'ses-events')
      expect(JSON.stringify(allows[0]?.Condition)).toContain(logicalIdOf(stack.messaging.configurationSet));
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('publishes the final SMS and voice events of the End User Messaging configuration set to its topic', () => {
    template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
      EventDestinations: [
        Match.objectLike({
          Enabled: true,
          MatchingEventTypes: Match.arrayWith([
            'TEXT_DELIVERED',
            'TEXT_INVALID',
            'VOICE_ANSWERED',
            'VOICE_NO_ANSWER',
          ]),
          SnsDestination: { TopicArn: { Ref: logicalIdOf(channels.topics['sms-voice-events']) } },
        }),
      ],
    });
  });

  it('publishes deliveries, bounces, complaints, opens and clicks of the SES configuration set to its topic', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalIdOf(stack.messaging.configurationSet) },
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint', 'open', 'click']),
        SnsDestination: { TopicARN: { Ref: logicalIdOf(channels.topics['ses-events']) } },
      }),
    });
  });

  it.each([
    ['sms-voice-events', 'smsVoiceEventsFunction'],
    ['inbound-sms', 'inboundSmsFunction'],
    ['ses-events', 'sesEventsFunction'],
    ['whatsapp-events', 'whatsAppEventsFunction'],
  ] as const)('subscribes %s to its function, with a dead-letter queue', (name, fn) => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalIdOf(channels.topics[name]) },
      Endpoint: { 'Fn::GetAtt': [logicalIdOf(channels[fn]), 'Arn'] },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(channels.deadLetterQueue), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(channels[fn]) },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(channels.deadLetterQueue), 'Arn'] } },
      },
    });
  });

  it('lets the inbound SMS function send texts from the origination number through the configuration set only', () => {
    const statements = roleStatements(template, logicalIdOf(channels.inboundSmsFunction)).filter(
      (statement) => actionsOf([statement]).some((action) => action.startsWith('sms-voice:')),
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('sms-voice:SendTextMessage');
    expect(JSON.stringify(statements[0]?.Resource)).toContain(
      `:phone-number/${configured.smsOriginationIdentity}`,
    );
    expect(JSON.stringify(statements[0]?.Resource)).toContain(':configuration-set/');
    expect(JSON.stringify(statements[0]?.Resource)).toContain(logicalIdOf(channels.smsConfigurationSet));
  });

  it('lets the WhatsApp function send from its phone number id only, and no other function send anything', () => {
    const whatsapp = roleStatements(template, logicalIdOf(channels.whatsAppEventsFunction));
    expect(actionsOf(whatsapp).filter((action) => action.startsWith('social-messaging:'))).toEqual([
      'social-messaging:SendWhatsAppMessage',
    ]);
    expect(JSON.stringify(whatsapp)).toContain(':phone-number-id/976c72a700aac43eaf573ae050example');
    for (const fn of [channels.smsVoiceEventsFunction, channels.sesEventsFunction]) {
      const actions = actionsOf(roleStatements(template, logicalIdOf(fn)));
      expect(actions.filter((action) => /^(sms-voice|social-messaging|ses):/.test(action))).toEqual([]);
    }
  });

  it('grants no channel send at all when no origination identity is configured', () => {
    const { stack: bare } = buildCollectionsApp({ bundling: false });
    const policies = JSON.stringify(Template.fromStack(bare).findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('sms-voice:');
    expect(policies).not.toContain('social-messaging:');
  });

  it('gives every channel function the environment its config module requires', () => {
    const environment = (fn: IConstruct) =>
      (
        template.toJSON().Resources[logicalIdOf(fn)] as {
          Properties: { Environment: { Variables: Record<string, unknown> } };
        }
      ).Properties.Environment.Variables;
    // Deployed values are references (ARNs among them); an ARN-shaped string stands in for them.
    const deployed = (fn: IConstruct) =>
      Object.fromEntries(
        Object.entries(environment(fn)).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : 'arn:aws:resolved-reference',
        ]),
      );
    expect(tableOnlyConfigSchema.safeParse(deployed(channels.smsVoiceEventsFunction)).success).toBe(true);
    expect(tableOnlyConfigSchema.safeParse(deployed(channels.sesEventsFunction)).success).toBe(true);
    expect(inboundSmsConfigSchema.safeParse(deployed(channels.inboundSmsFunction)).success).toBe(true);
    expect(whatsAppEventsConfigSchema.safeParse(deployed(channels.whatsAppEventsFunction)).success).toBe(
      true,
    );
    expect(environment(channels.inboundSmsFunction)).toMatchObject({
      SUPPORT_CONTACT: 'support@acme.example',
      SENDER_NAME: 'Acme Billing',
      SMS_ORIGINATION_IDENTITY: configured.smsOriginationIdentity,
      SMS_CONFIGURATION_SET: { Ref: logicalIdOf(channels.smsConfigurationSet) },
    });
  });

  it('refuses an origination identity the grant cannot name, at synth time', () => {
    expect(() =>
      buildCollectionsApp({ bundling: false, context: { smsOriginationIdentity: '+12065550100' } }),
    ).toThrow(/phone number id \(phone-\.\.\.\)/);
  });

  it('reports no unacknowledged cdk-nag finding with every channel configured', () => {
    const { app } = buildCollectionsApp({ bundling: false, context: configured });
    for (const pack of applyCompliance(app)) {
      const report = pack.validateScope(app);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    }
  });
  it('points the WhatsApp Business Account at the WhatsApp topic, allowed on that account only', () => {
    const resources = template.findResources('Custom::AWS');
    const [destination] = Object.values(resources) as { Properties: { Create: unknown; Delete: unknown } }[];
    const create = JSON.stringify(destination?.Properties.Create);
    expect(create).toContain('PutWhatsAppBusinessAccountEventDestinations');
    expect(create).toContain('waba-fb2594b8a7974770b128a409e2example');
    expect(create).toContain(logicalIdOf(channels.topics['whatsapp-events']));
    // On delete the destination is removed (an empty list), so the account does not publish into a deleted topic.
    expect(JSON.stringify(destination?.Properties.Delete)).toMatch(/eventDestinations\\":\[\]/);
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('social-messaging:PutWhatsAppBusinessAccountEventDestinations');
    expect(policies).toContain(':waba/fb2594b8a7974770b128a409e2example');
  });

  it('alarms as soon as a channel event waits in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(channels.deadLetterQueue), 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('Journeys with the channels configured', () => {
  const { stack } = buildCollectionsApp({ bundling: false, context: configured });
  const template = Template.fromStack(stack);
  const send = stack.journeys.sendFunction;
  const variables = (fn: IConstruct) =>
    (
      template.toJSON().Resources[logicalIdOf(fn)] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }
    ).Properties.Environment.Variables;

  it('lets the act step send texts, calls and WhatsApp messages, and tells the planner it may pick them', () => {
    // Act
    const actions = actionsOf(roleStatements(template, logicalIdOf(send)));

    // Assess
    expect(actions).toEqual(
      expect.arrayContaining([
        'sms-voice:SendTextMessage',
        'sms-voice:SendVoiceMessage',
        'social-messaging:SendWhatsAppMessage',
        'ses:SendEmail',
      ]),
    );
    expect(variables(send)).toMatchObject({
      JOURNEY_CHANNELS: 'email,sms,voice,whatsapp',
      SMS_ORIGINATION_IDENTITY: configured.smsOriginationIdentity,
      SMS_CONFIGURATION_SET: { Ref: logicalIdOf(stack.channelEvents.smsConfigurationSet) },
      WHATSAPP_PHONE_NUMBER_ID: configured.whatsAppPhoneNumberId,
    });
    expect(variables(stack.journeys.planFunction)).toMatchObject({
      JOURNEY_CHANNELS: 'email,sms,voice,whatsapp',
    });
  });

  it('plans and sends email only when no other channel is configured', () => {
    // Prepare
    const { stack: plain } = buildCollectionsApp({ bundling: false });
    const plainTemplate = Template.fromStack(plain);
    const plainVariables = (
      plainTemplate.toJSON().Resources[logicalIdOf(plain.journeys.sendFunction)] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }
    ).Properties.Environment.Variables;

    // Act
    const actions = actionsOf(roleStatements(plainTemplate, logicalIdOf(plain.journeys.sendFunction)));

    // Assess
    expect(plainVariables.JOURNEY_CHANNELS).toBe('email');
    expect(plainVariables.SMS_ORIGINATION_IDENTITY).toBeUndefined();
    expect(
      actions.some((action) => action.startsWith('sms-voice:') || action.startsWith('social-messaging:')),
    ).toBe(false);
  });
});
