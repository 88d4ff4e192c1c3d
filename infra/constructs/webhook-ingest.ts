import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../compliance.ts';
import { ProjectFunction } from './project-function.ts';

export interface WebhookIngestProps {
  /** Where billing events, claims, customers and cases are written. */
  readonly table: ITable;
  /** The journey state machine: a newly opened case starts one execution. */
  readonly journeyStateMachine: IStateMachine;
  /**
   * The deployment's billing mode: `live` refuses test events, `test` refuses live ones, so test
   * data never opens a real case. Paddle and Chargebee do not mark their payloads: their mode is
   * the mode of the account whose secret the endpoint holds.
   * @default 'live'
   */
  readonly billingMode?: BillingMode;
}

export type BillingMode = 'live' | 'test';

/** One billing provider endpoint: its function and the secret it authenticates deliveries with. */
export interface ProviderEndpoint {
  readonly function: ProjectFunction;
  readonly secret: Secret;
}

/**
 * `POST /webhooks/stripe`: the function that verifies a Stripe webhook on its raw body, records
 * the billing event idempotently and starts the case's journey, and the secret it verifies with.
 *
 * The signing secret (`whsec_...`) only exists in the Stripe dashboard once the endpoint is
 * registered there, so the stack creates the secret EMPTY (no value in the template, nothing
 * generated). After the first deploy, register the `StripeWebhookUrl` output in Stripe, then:
 *
 *   aws secretsmanager put-secret-value --secret-id <StripeWebhookSecretArn output> --secret-string 'whsec_...'
 *
 * Until then the function answers 5xx (the secret has no value) and Stripe keeps retrying each
 * event for up to three days, so nothing is lost. The function caches the value for 5 minutes:
 * a rolled secret is picked up without a redeploy.
 */
export class WebhookIngest extends Construct {
  public readonly stripeWebhookSecret: Secret;
  public readonly stripeWebhookFunction: ProjectFunction;
  /** Optional restricted Stripe key (read invoices): finds the invoice of a dispute, refund or decline. */
  public readonly stripeApiKeySecret: Secret;
  public readonly paddle: ProviderEndpoint;
  public readonly chargebee: ProviderEndpoint;
  public readonly inhouse: ProviderEndpoint;
  /** Environment every ingest function shares (state machine, billing mode). */
  public readonly ingestEnvironment: Readonly<Record<string, string>>;

  public constructor(scope: Construct, id: string, props: WebhookIngestProps) {
    super(scope, id);

    this.stripeWebhookSecret = new Secret(this, 'StripeWebhookSecret', {
      description:
        'Stripe webhook signing secret (whsec_...) of the collections endpoint. Set it with `aws secretsmanager put-secret-value` after registering the StripeWebhookUrl output in Stripe.',
    });
    // The L2 always generates a random value; an empty secret (no GenerateSecretString and no
    // SecretString) is what CloudFormation creates when both are omitted.
    const cfnSecret = this.stripeWebhookSecret.node.defaultChild;
    if (!(cfnSecret instanceof CfnSecret)) throw new Error('Secret without a CfnSecret');
    cfnSecret.addPropertyDeletionOverride('GenerateSecretString');
    acknowledgeFinding(
      this.stripeWebhookSecret,
      'SMG4',
      'A Stripe webhook signing secret is issued and rolled in the Stripe dashboard ("Roll secret"), not by Secrets Manager: a rotation Lambda cannot create one. The operator stores the rolled value; the function re-reads it every 5 minutes.',
    );

    this.ingestEnvironment = {
      JOURNEY_STATE_MACHINE_ARN: props.journeyStateMachine.stateMachineArn,
      BILLING_LIVEMODE: String((props.billingMode ?? 'live') === 'live'),
    };
    this.stripeApiKeySecret = this.emptySecret(
      'StripeApiKey',
      'The Stripe API key of the whole product (a restricted rk_... key: read events, customers and subscriptions; write invoices, billing portal sessions and payment intents). Ingest reads invoices and reconciles events, the portal opens payment and card pages, the journeys retry payments, write off and cancel. Set it with `aws secretsmanager put-secret-value`.',
      'A Stripe API key is created and rolled in the Stripe dashboard, not by Secrets Manager; the operator stores the rolled value.',
    );

    this.stripeWebhookFunction = new ProjectFunction(this, 'StripeWebhookFunction', {
      entry: 'functions/ingest-stripe-webhook.ts',
      description: 'POST /webhooks/stripe: verify, record the billing event, open or update the case',
      environment: {
        ...this.ingestEnvironment,
        STRIPE_WEBHOOK_SECRET_ARN: this.stripeWebhookSecret.secretArn,
        STRIPE_API_KEY_ARN: this.stripeApiKeySecret.secretArn,
      },
    });
    this.bindIngest(this.stripeWebhookFunction, props);
    this.stripeWebhookSecret.grantRead(this.stripeWebhookFunction);
    this.stripeApiKeySecret.grantRead(this.stripeWebhookFunction);

    this.paddle = this.providerEndpoint(props, {
      id: 'Paddle',
      entry: 'functions/ingest-paddle-webhook.ts',
      description:
        'POST /webhooks/paddle: verify Paddle-Signature, record the billing event, open or update the case',
      secretVariable: 'PADDLE_WEBHOOK_SECRET_ARN',
      secret: this.emptySecret(
        'PaddleWebhookSecret',
        'Paddle notification destination secret key (pdl_ntfset_...). Several, one per line, while rotating.',
        'Paddle issues and rotates the notification secret key in its dashboard; a rotation Lambda cannot create one.',
      ),
    });
    this.chargebee = this.providerEndpoint(props, {
      id: 'Chargebee',
      entry: 'functions/ingest-chargebee-webhook.ts',
      description:
        'POST /webhooks/chargebee: check Basic auth, record the billing event, open or update the case',
      secretVariable: 'CHARGEBEE_WEBHOOK_CREDENTIALS_ARN',
      secret: this.emptySecret(
        'ChargebeeWebhookCredentials',
        'user:password of the Chargebee webhook Basic auth, as configured in Chargebee. Several, one per line, while rotating.',
        'The credentials must equal what is configured on the Chargebee webhook, so they are changed there and here together by the operator.',
      ),
    });
    const inhouseSecret = new Secret(this, 'InhouseWebhookSecret', {
      description:
        'HMAC-SHA256 signing secret of the in-house billing format (Collections-Signature). Several, one per line, while rotating.',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledgeFinding(
      inhouseSecret,
      'SMG4',
      'The in-house signing secret is shared with the company billing system that signs events; it is rotated by adding the new value on a second line, switching the sender, then removing the old one, which a rotation Lambda cannot coordinate.',
    );
    this.inhouse = this.providerEndpoint(props, {
      id: 'Inhouse',
      entry: 'functions/ingest-inhouse-webhook.ts',
      description:
        'POST /webhooks/inhouse: verify Collections-Signature, record the billing event, open or update the case',
      secretVariable: 'INHOUSE_WEBHOOK_SECRET_ARN',
      secret: inhouseSecret,
    });
  }

  /** Table, journey start: what every function that applies billing events needs. */
  public bindIngest(fn: ProjectFunction, props: WebhookIngestProps): void {
    fn.bindTable(props.table, 'readWrite');
    props.journeyStateMachine.grantStartExecution(fn);
  }

  private providerEndpoint(
    props: WebhookIngestProps,
    options: { id: string; entry: string; description: string; secretVariable: string; secret: Secret },
  ): ProviderEndpoint {
    const fn = new ProjectFunction(this, `${options.id}WebhookFunction`, {
      entry: options.entry,
      description: options.description,
      environment: { ...this.ingestEnvironment, [options.secretVariable]: options.secret.secretArn },
    });
    this.bindIngest(fn, props);
    options.secret.grantRead(fn);
    return { function: fn, secret: options.secret };
  }

  /** A secret created with no value: the provider issues it, the operator stores it after deploy. */
  private emptySecret(id: string, description: string, rotationReason: string): Secret {
    const secret = new Secret(this, id, { description });
    const cfnSecret = secret.node.defaultChild;
    if (!(cfnSecret instanceof CfnSecret)) throw new Error('Secret without a CfnSecret');
    cfnSecret.addPropertyDeletionOverride('GenerateSecretString');
    acknowledgeFinding(secret, 'SMG4', rotationReason);
    return secret;
  }
}
