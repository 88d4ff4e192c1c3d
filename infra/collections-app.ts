import { App } from 'aws-cdk-lib';
import { CollectionsStack, type CollectionsStackProps } from './collections-stack.ts';

/** Stable: it names the CloudFormation stack and prefixes every logical id. */
export const collectionsStackId = 'Collections';

/** CDK context keys (`cdk synth -c senderEmail=...`) read into `CollectionsStackProps`. */
export const CollectionsContextKey = {
  senderEmail: 'senderEmail',
  sesConfigurationSetName: 'sesConfigurationSetName',
  metricsScheduleTimeZone: 'metricsScheduleTimeZone',
  financeTimeZone: 'financeTimeZone',
  /** Comma-separated addresses, e.g. `-c monthlyReportRecipients=cfo@acme.test,ar@acme.test`. */
  dailyReportRecipients: 'dailyReportRecipients',
  weeklyReportRecipients: 'weeklyReportRecipients',
  monthlyReportRecipients: 'monthlyReportRecipients',
  attributionWindowDays: 'attributionWindowDays',
  /** Days a finance report email's archive link stays valid (default 30). */
  reportLinkTtlDays: 'reportLinkTtlDays',
  /** DynamoDB parallel scan segments of the weekly aggregates proof (default 8, 1-1,000). */
  rebuildSegments: 'rebuildSegments',
  /** Segments of the proof run at once (default 8). */
  rebuildMaxConcurrency: 'rebuildMaxConcurrency',
  billingMode: 'billingMode',
  stripeEventSourceName: 'stripeEventSourceName',
  portalDomainName: 'portalDomainName',
  portalCertificateArn: 'portalCertificateArn',
  smsOriginationIdentity: 'smsOriginationIdentity',
  smsConfigurationSetName: 'smsConfigurationSetName',
  whatsAppPhoneNumberId: 'whatsAppPhoneNumberId',
  whatsAppBusinessAccountId: 'whatsAppBusinessAccountId',
  supportContact: 'supportContact',
  senderName: 'senderName',
} as const;

/** Stacks whose assets are bundled; the empty list turns esbuild off for the whole app. */
const bundlingStacksContextKey = 'aws:cdk:bundling-stacks';

export interface BuildCollectionsAppOptions {
  /**
   * Bundle the functions with esbuild. `false` skips bundling entirely, for in-process synthesis
   * (the local runtime reads the state machine definition, tests assert the template): the
   * template is the same, only the asset hashes differ.
   * @default true
   */
  readonly bundling?: boolean;
  /**
   * Extra context, as with `cdk -c key=value` (e.g. `{ senderEmail: 'billing@acme.test' }`).
   * @default - none
   */
  readonly context?: Record<string, unknown>;
  /**
   * Where to write the cloud assembly.
   * @default - the CLI's `cdk.out` when run by the CLI, a temporary directory otherwise
   */
  readonly outdir?: string;
  /**
   * Run CDK's built-in CloudFormation template validation on synth (schema checks, about 1.3 s).
   * `cdk synth` (bundled) keeps it; an in-process synth without bundling skips it to stay fast.
   * @default - the value of `bundling`
   */
  readonly validateTemplates?: boolean;
}

export interface CollectionsApp {
  readonly app: App;
  readonly stack: CollectionsStack;
}

function optionalContextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new Error(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A whole number from the context (`-c key=14` gives a string, a cdk.json value a number). */
function optionalContextInteger(app: App, key: string, unit: string): number | undefined {
  const text: unknown = app.node.tryGetContext(key);
  if (text === undefined || text === null || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) {
    throw new Error(`context "${key}" must be a whole number of ${unit}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function stackPropsFromContext(app: App): CollectionsStackProps {
  const senderEmail = optionalContextString(app, CollectionsContextKey.senderEmail);
  const sesConfigurationSetName = optionalContextString(app, CollectionsContextKey.sesConfigurationSetName);
  const metricsScheduleTimeZone = optionalContextString(app, CollectionsContextKey.metricsScheduleTimeZone);
  const financeTimeZone = optionalContextString(app, CollectionsContextKey.financeTimeZone);
  const recipients = (key: string): string[] | undefined =>
    optionalContextString(app, key)
      ?.split(',')
      .map((address) => address.trim())
      .filter((address) => address.length > 0);
  const daily = recipients(CollectionsContextKey.dailyReportRecipients);
  const weekly = recipients(CollectionsContextKey.weeklyReportRecipients);
  const monthly = recipients(CollectionsContextKey.monthlyReportRecipients);
  const attributionWindowDays = optionalContextInteger(
    app,
    CollectionsContextKey.attributionWindowDays,
    'days',
  );
  const reportLinkTtlDays = optionalContextInteger(app, CollectionsContextKey.reportLinkTtlDays, 'days');
  const rebuildSegments = optionalContextInteger(app, CollectionsContextKey.rebuildSegments, 'segments');
  const rebuildMaxConcurrency = optionalContextInteger(
    app,
    CollectionsContextKey.rebuildMaxConcurrency,
    'segments',
  );
  const portalDomainName = optionalContextString(app, CollectionsContextKey.portalDomainName);
  const portalCertificateArn = optionalContextString(app, CollectionsContextKey.portalCertificateArn);
  const billingMode = optionalContextString(app, CollectionsContextKey.billingMode);
  if (billingMode !== undefined && billingMode !== 'live' && billingMode !== 'test')
    throw new Error(`context "billingMode" must be "live" or "test", got "${billingMode}"`);
  const stripeEventSourceName = optionalContextString(app, CollectionsContextKey.stripeEventSourceName);
  return {
    ...(financeTimeZone ? { financeTimeZone } : {}),
    ...(daily || weekly || monthly
      ? {
          financeReportRecipients: {
            ...(daily ? { daily } : {}),
            ...(weekly ? { weekly } : {}),
            ...(monthly ? { monthly } : {}),
          },
        }
      : {}),
    ...(attributionWindowDays === undefined ? {} : { attributionWindowDays }),
    ...(reportLinkTtlDays === undefined ? {} : { reportLinkTtlDays }),
    ...(rebuildSegments === undefined && rebuildMaxConcurrency === undefined
      ? {}
      : {
          metricRebuild: {
            ...(rebuildSegments === undefined ? {} : { segments: rebuildSegments }),
            ...(rebuildMaxConcurrency === undefined ? {} : { maxConcurrency: rebuildMaxConcurrency }),
          },
        }),
    description: 'Collections and failed-payment recovery',
    ...(billingMode ? { billingMode } : {}),
    ...(stripeEventSourceName ? { stripeEventSourceName } : {}),
    ...(portalDomainName ? { portalDomainName } : {}),
    ...(portalCertificateArn ? { portalCertificateArn } : {}),
    ...(senderEmail ? { senderEmail } : {}),
    ...(sesConfigurationSetName ? { sesConfigurationSetName } : {}),
    ...(metricsScheduleTimeZone ? { metricsScheduleTimeZone } : {}),
    ...channelPropsFromContext(app),
  };
}

/** The channel settings (docs/channels.md), each from its context key when set. */
function channelPropsFromContext(app: App): Partial<CollectionsStackProps> {
  const keys = [
    'smsOriginationIdentity',
    'smsConfigurationSetName',
    'whatsAppPhoneNumberId',
    'whatsAppBusinessAccountId',
    'supportContact',
    'senderName',
  ] as const;
  const props: Record<string, string> = {};
  for (const key of keys) {
    const value = optionalContextString(app, CollectionsContextKey[key]);
    if (value !== undefined) props[key] = value;
  }
  return props as Partial<CollectionsStackProps>;
}

/**
 * Builds the CDK app and its one stack. No side effect on import, no environment lookup, no AWS
 * credentials: the stack is environment-agnostic, so it synthesizes offline, in-process or by the CLI.
 */
export function buildCollectionsApp(options: BuildCollectionsAppOptions = {}): CollectionsApp {
  const bundling = options.bundling ?? true;
  const app = new App({
    builtinCloudFormationValidation: options.validateTemplates ?? bundling,
    ...(options.context ? { context: options.context } : {}),
    // After the CLI's context, which sets the bundling stacks for `cdk deploy <stack>` too.
    ...(bundling ? {} : { postCliContext: { [bundlingStacksContextKey]: [] } }),
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = new CollectionsStack(app, collectionsStackId, stackPropsFromContext(app));
  return { app, stack };
}
