import {
  type ContactPolicyConfig,
  parseContactPolicyConfig,
} from '../shared/domain/contact-policy-config.ts';
import { type PaymentRetryLimits, paymentRetryLimitsSchema } from '../shared/domain/payment-retry-policy.ts';
import contactPolicyData from './contact-policy.json' with { type: 'json' };
import paymentRetryLimitsData from './payment-retry-limits.json' with { type: 'json' };

/** The contact policy every journey follows (quiet hours, caps, consent), validated at cold start. */
export const contactPolicy: ContactPolicyConfig = parseContactPolicyConfig(contactPolicyData);

/** Card-network reattempt limits for payment retries. */
export const paymentRetryLimits: PaymentRetryLimits = paymentRetryLimitsSchema.parse(paymentRetryLimitsData);
