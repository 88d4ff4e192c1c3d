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

    this.stripeWebhookFunction = new ProjectFunction(this, 'StripeWebhookFunction', {
      entry: 'functions/ingest-stripe-webhook.ts',
      description: 'POST /webhooks/stripe: verify, record the billing event, open or update the case',
      environment: {
        JOURNEY_STATE_MACHINE_ARN: props.journeyStateMachine.stateMachineArn,
        STRIPE_WEBHOOK_SECRET_ARN: this.stripeWebhookSecret.secretArn,
      },
    });
    this.stripeWebhookFunction.bindTable(props.table, 'readWrite');
    this.stripeWebhookSecret.grantRead(this.stripeWebhookFunction);
    props.journeyStateMachine.grantStartExecution(this.stripeWebhookFunction);
  }
}
