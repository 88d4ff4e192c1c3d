import type { PortalSigningKeys } from '../../domain/portal/portal-link.ts';
import type { PortalPolicy } from '../../domain/portal/portal-policy.ts';
import type {
  CaseStore,
  ClaimStore,
  Clock,
  ConsentStore,
  CustomerStore,
  EmailSender,
  PaymentGateway,
  PortalStore,
  RateLimiter,
  ReplyActionStore,
} from '../../ports.ts';

/** Everything the portal's use cases read and write. */
export interface PortalDependencies {
  readonly cases: CaseStore;
  readonly claims: ClaimStore;
  readonly customers: CustomerStore;
  /** Opt-outs from unsubscribe links (the same records a STOP reply writes). */
  readonly consents: Pick<ConsentStore, 'putConsent'>;
  readonly portal: PortalStore;
  /** The agents' queue, where a debtor's flag becomes a task (the same queue as replies and hand-overs). */
  readonly agentTasks: Pick<ReplyActionStore, 'createAgentTask'>;
  readonly rateLimiter: RateLimiter;
  readonly payments: PaymentGateway;
  readonly email: EmailSender;
  readonly clock: Clock;
  readonly keys: () => Promise<PortalSigningKeys>;
  readonly policy: PortalPolicy;
  /** Public base URL of the portal, e.g. `https://pay.example.com/portal` (no trailing slash). */
  readonly portalBaseUrl: string;
}
