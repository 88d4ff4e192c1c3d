import type { PortalSigningKeys } from '../../domain/portal/portal-link.ts';
import type { PortalPolicy } from '../../domain/portal/portal-policy.ts';
import type {
  CaseStore,
  ClaimStore,
  Clock,
  CustomerStore,
  EmailSender,
  PaymentGateway,
  PortalStore,
  RateLimiter,
} from '../../ports.ts';

/** Everything the portal's use cases read and write. */
export interface PortalDependencies {
  readonly cases: CaseStore;
  readonly claims: ClaimStore;
  readonly customers: CustomerStore;
  readonly portal: PortalStore;
  readonly rateLimiter: RateLimiter;
  readonly payments: PaymentGateway;
  readonly email: EmailSender;
  readonly clock: Clock;
  readonly keys: () => Promise<PortalSigningKeys>;
  readonly policy: PortalPolicy;
  /** Public base URL of the portal, e.g. `https://pay.example.com/portal` (no trailing slash). */
  readonly portalBaseUrl: string;
}
