import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import Stripe from 'stripe';
import type { PortalConfig } from '../../config.ts';
import { ConfigurationError } from '../../domain/errors.ts';
import { defaultPortalPolicy } from '../../domain/portal/portal-policy.ts';
import type { PaymentGateway } from '../../ports.ts';
import type { PortalDependencies } from '../../use-cases/portal/portal-dependencies.ts';
import { systemClock } from '../clock/system-clock.ts';
import { CollectionsTable } from '../dynamodb/collections-table.ts';
import { PortalTable } from '../dynamodb/portal-table.ts';
import { SesEmailSender } from '../email/ses-email-sender.ts';
import { StripePaymentGateway } from '../stripe/stripe-payment-gateway.ts';
import { portalSigningKeysFrom } from './portal-signing-keys.ts';

/**
 * The Stripe gateway with its API key read from Secrets Manager on first use (cached 5 minutes),
 * so a function that never touches Stripe in an invocation never reads the key.
 */
function stripeGatewayFrom(secretArn: string): PaymentGateway {
  let cached: { key: string; gateway: StripePaymentGateway } | undefined;
  const gateway = async (): Promise<StripePaymentGateway> => {
    const key = (await getSecret<string>(secretArn, { maxAge: 300 }))?.trim();
    if (!key) throw new ConfigurationError('the Stripe API key secret is empty');
    if (cached?.key !== key) {
      cached = {
        key,
        gateway: new StripePaymentGateway(new Stripe(key, { maxNetworkRetries: 2, timeout: 8000 })),
      };
    }
    return cached.gateway;
  };
  return {
    createPaymentPage: async (claim) => (await gateway()).createPaymentPage(claim),
    createCardUpdatePage: async (customerId, options) =>
      (await gateway()).createCardUpdatePage(customerId, options),
    retryClaims: async (claims) => (await gateway()).retryClaims(claims),
    chargeInstalment: async (request) => (await gateway()).chargeInstalment(request),
    settleClaimsOutOfBand: async (claims, reference) =>
      (await gateway()).settleClaimsOutOfBand(claims, reference),
  };
}

/** The portal's dependencies on AWS: the table, SES, Stripe and the signing key, clients made once. */
export function awsPortalDependencies(config: PortalConfig): PortalDependencies {
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  const portal = new PortalTable(client, config.TABLE_NAME);
  // One attempt per call, as for journey messages: a retry after a timeout could send twice.
  const email = new SesEmailSender(new SESv2Client({ maxAttempts: 1 }), {
    from: config.SENDER_EMAIL,
    ...(config.SES_CONFIGURATION_SET ? { configurationSetName: config.SES_CONFIGURATION_SET } : {}),
  });
  return {
    cases: table,
    claims: table,
    customers: table,
    consents: table,
    agentTasks: table,
    portal,
    rateLimiter: portal,
    payments: stripeGatewayFrom(config.STRIPE_API_KEY_SECRET_ARN),
    email,
    clock: systemClock,
    keys: portalSigningKeysFrom({
      secretArn: config.PORTAL_SIGNING_KEY_SECRET_ARN,
      value: config.PORTAL_SIGNING_KEY,
    }),
    policy: defaultPortalPolicy,
    portalBaseUrl: config.PORTAL_BASE_URL.replace(/\/+$/, ''),
  };
}
