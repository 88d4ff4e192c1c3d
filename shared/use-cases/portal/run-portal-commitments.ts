import type { Claim } from '../../domain/claim.ts';
import { isClaimOpen } from '../../domain/claim.ts';
import type { CollectionCase } from '../../domain/collection-case.ts';
import { isContactAllowed, nextAllowedMoment, resolveTimeZones } from '../../domain/contact-policy.ts';
import type { Customer } from '../../domain/customer.ts';
import { formatMoney } from '../../domain/money.ts';
import {
  type PaymentPlan,
  type PromiseToPay,
  planDuty,
  planNextDutyAt,
  planPausedUntil,
  withInstalment,
} from '../../domain/portal/commitments.ts';
import { renderPortalEmail } from '../../domain/portal/portal-email.ts';
import { resolvePortalLocale } from '../../domain/portal/portal-locale.ts';
import type { CaseInteraction, CasePortalState } from '../../ports.ts';
import { issuePortalLink } from './issue-portal-link.ts';
import type { PortalDependencies } from './portal-dependencies.ts';
import { payableClaim } from './start-payment.ts';
import { portalStateOf, updatePortalState } from './update-portal-state.ts';

export interface CommitmentsRunSummary {
  readonly checked: number;
  readonly promisesKept: number;
  readonly promisesBroken: number;
  readonly remindersSent: number;
  readonly instalmentsPaid: number;
  readonly instalmentsFailed: number;
  readonly plansBroken: number;
  readonly plansCompleted: number;
}

type Counter = { -readonly [K in keyof CommitmentsRunSummary]: number };

/**
 * The commitments job (hourly): for each case whose check is due, settles promises (kept when the
 * claims were paid, else broken: remembered, and the pause ends so the journey resumes), and runs
 * payment plans (reminder before each instalment, off-session charge attempts, a missed
 * instalment breaks the plan and ends the pause, a completed plan settles the claims).
 */
export async function runPortalCommitments(deps: PortalDependencies): Promise<CommitmentsRunSummary> {
  const counter: Counter = {
    checked: 0,
    promisesKept: 0,
    promisesBroken: 0,
    remindersSent: 0,
    instalmentsPaid: 0,
    instalmentsFailed: 0,
    plansBroken: 0,
    plansCompleted: 0,
  };
  for (const caseId of await deps.portal.listDueCommitmentChecks(deps.clock.now())) {
    counter.checked += 1;
    await checkCase(caseId, deps, counter);
  }
  return counter;
}

async function checkCase(caseId: string, deps: PortalDependencies, counter: Counter): Promise<void> {
  const now = deps.clock.now();
  const collectionCase = await deps.cases.getCase(caseId);
  if (collectionCase === undefined) return deps.portal.scheduleCommitmentCheck(caseId, undefined);
  const [claims, customer] = await Promise.all([
    deps.claims.getClaims(collectionCase.claimIds),
    deps.customers.getCustomer(collectionCase.customerId),
  ]);
  const interactions: CaseInteraction[] = [];
  const note = (kind: CaseInteraction['kind'], detail: Record<string, string | number>): void => {
    interactions.push({ caseId, at: now.toISOString(), kind, detail });
  };

  // Promise to pay.
  const promiseOutcome = settlePromise(collectionCase, claims, now);
  if (promiseOutcome !== undefined) {
    await updatePortalState(caseId, deps, (current) => {
      if (current.promiseToPay?.status !== 'active') return undefined;
      const state: CasePortalState = { ...portalStateOf(current), promiseToPay: promiseOutcome };
      if (promiseOutcome.status === 'broken') {
        const { pausedUntil: _until, pauseReason: _reason, ...rest } = state;
        const resumed = current.pauseReason === 'promise-to-pay' ? rest : state;
        return {
          state: { ...resumed, brokenPromises: (current.brokenPromises ?? 0) + 1 },
          result: undefined,
        };
      }
      return { state, result: undefined };
    });
    if (promiseOutcome.status === 'kept') counter.promisesKept += 1;
    else counter.promisesBroken += 1;
    note(promiseOutcome.status === 'kept' ? 'promise-kept' : 'promise-broken', {
      promisedFor: promiseOutcome.promisedFor,
    });
  }

  // Payment plan.
  let plan = collectionCase.paymentPlan;
  let retryLaterAt: string | undefined;
  if (plan !== undefined && plan.status === 'active' && collectionCase.status === 'closed') {
    // Paid by other means (or written off): nothing left to charge.
    plan = await savePlan(caseId, { ...plan, status: 'completed', endedAt: now.toISOString() }, deps);
  }
  for (let step = 0; plan !== undefined && plan.status === 'active' && step < 3; step += 1) {
    const duty = planDuty(plan, now, deps.policy);
    if (duty === undefined) break;
    if (duty.kind === 'remind') {
      const zones = resolveTimeZones(customer ?? {}).zones;
      if (!isContactAllowed(now, zones)) {
        retryLaterAt = nextAllowedMoment(now, zones).toISOString();
        break;
      }
      // Recorded before the send: at most one reminder per instalment, even if the send is retried.
      plan = await savePlan(
        caseId,
        withInstalment(plan, { ...duty.instalment, reminderSentAt: now.toISOString() }),
        deps,
      );
      if (customer?.email) {
        await sendReminder(collectionCase, customer, plan, duty.instalment.number, deps);
        counter.remindersSent += 1;
        note('instalment-reminded', { planId: plan.planId, instalment: duty.instalment.number });
      }
      continue;
    }
    if (duty.kind === 'charge') {
      const attempt = duty.instalment.attempts + 1;
      const result = await deps.payments.chargeInstalment({
        customerId: collectionCase.customerId,
        amountMinor: duty.instalment.amountMinor,
        currency: plan.currency,
        idempotencyKey: `${plan.planId}-${duty.instalment.number}-${attempt}`,
        description: `Payment plan instalment ${duty.instalment.number} of ${plan.instalments.length}`,
      });
      const attempted = { ...duty.instalment, attempts: attempt, lastAttemptAt: now.toISOString() };
      if (result.status === 'succeeded') {
        plan = await savePlan(
          caseId,
          withInstalment(plan, {
            ...attempted,
            status: 'paid',
            paidAt: now.toISOString(),
            paymentRef: result.paymentRef,
          }),
          deps,
        );
        counter.instalmentsPaid += 1;
        note('instalment-paid', { planId: plan.planId, instalment: attempted.number });
        if (plan.status === 'completed') {
          counter.plansCompleted += 1;
          note('plan-completed', { planId: plan.planId });
        }
      } else {
        plan = await savePlan(caseId, withInstalment(plan, attempted), deps);
        counter.instalmentsFailed += 1;
        note('instalment-failed', { planId: plan.planId, instalment: attempted.number, attempt });
      }
      break;
    }
    plan = await savePlan(caseId, withInstalment(plan, { ...duty.instalment, status: 'missed' }), deps);
    counter.plansBroken += 1;
    note('plan-broken', { planId: plan.planId, instalment: duty.instalment.number });
  }
  if (
    plan !== undefined &&
    plan.status === 'completed' &&
    plan.settledAt === undefined &&
    collectionCase.status === 'open'
  ) {
    // Every instalment was collected: the provider marks the claims paid, and its `invoice.paid` closes the case.
    const covered = claims.filter((claim) => isClaimOpen(claim) && plan?.claimIds.includes(claim.claimId));
    await deps.payments.settleClaimsOutOfBand(covered.map(payableClaim), plan.planId);
    plan = await savePlan(caseId, { ...plan, settledAt: now.toISOString() }, deps);
  }

  for (const interaction of interactions) await deps.portal.recordInteraction(interaction);
  const latest = (await deps.cases.getCase(caseId)) ?? collectionCase;
  await deps.portal.scheduleCommitmentCheck(caseId, nextCheckAt(latest, retryLaterAt, deps));
}

function settlePromise(
  collectionCase: CollectionCase,
  claims: readonly Claim[],
  now: Date,
): PromiseToPay | undefined {
  const promise = collectionCase.promiseToPay;
  if (promise?.status !== 'active') return undefined;
  const covered = claims.filter((claim) => promise.claimIds.includes(claim.claimId));
  const paid = covered.length > 0 && covered.every((claim) => claim.status === 'paid');
  if (paid || collectionCase.status === 'closed') {
    return { ...promise, status: 'kept', settledAt: now.toISOString() };
  }
  if (now.getTime() < Date.parse(promise.graceUntil)) return undefined;
  return { ...promise, status: 'broken', settledAt: now.toISOString() };
}

/** Writes the plan and the pause it implies. */
async function savePlan(caseId: string, plan: PaymentPlan, deps: PortalDependencies): Promise<PaymentPlan> {
  await updatePortalState(caseId, deps, (current) => {
    const state: CasePortalState = { ...portalStateOf(current), paymentPlan: plan };
    const pausedUntil = planPausedUntil(plan, deps.policy);
    if (pausedUntil !== undefined)
      return { state: { ...state, pausedUntil, pauseReason: 'payment-plan' }, result: undefined };
    if (current.pauseReason !== 'payment-plan') return { state, result: undefined };
    // Broken: contact resumes now. Completed: the pause runs out by itself while the payment settles.
    if (plan.status === 'broken') {
      const { pausedUntil: _until, pauseReason: _reason, ...rest } = state;
      return { state: rest, result: undefined };
    }
    return { state, result: undefined };
  });
  return plan;
}

function nextCheckAt(
  collectionCase: CollectionCase,
  retryLaterAt: string | undefined,
  deps: PortalDependencies,
): string | undefined {
  const candidates: string[] = [];
  if (retryLaterAt !== undefined) candidates.push(retryLaterAt);
  const promise = collectionCase.promiseToPay;
  if (promise?.status === 'active') candidates.push(promise.graceUntil);
  const plan = collectionCase.paymentPlan;
  if (plan !== undefined) {
    const due = planNextDutyAt(plan, deps.policy);
    if (due !== undefined) candidates.push(due);
    if (plan.status === 'completed' && plan.settledAt === undefined && collectionCase.status === 'open') {
      candidates.push(new Date(deps.clock.now().getTime() + 3_600_000).toISOString());
    }
  }
  return candidates.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

async function sendReminder(
  collectionCase: CollectionCase,
  customer: Customer,
  plan: PaymentPlan,
  number: number,
  deps: PortalDependencies,
): Promise<void> {
  const instalment = plan.instalments.find((one) => one.number === number);
  if (instalment === undefined || !customer.email) return;
  const { url } = await issuePortalLink(
    { caseId: collectionCase.caseId, customerId: collectionCase.customerId, purpose: `instalment-${number}` },
    { ...deps, linkTtlDays: deps.policy.linkTtlDays },
  );
  const locale = resolvePortalLocale({ chosen: plan.language, customerLocale: customer.locale });
  const content = renderPortalEmail('instalment-reminder', customer, {
    portalUrl: url,
    timeZone: resolveTimeZones(customer).zones[0] ?? 'UTC',
    amount: formatMoney(
      { amountMinor: instalment.amountMinor, currency: plan.currency },
      locale.formatLocale,
    ),
    dueAt: instalment.dueAt,
    number,
    count: plan.instalments.length,
    ...(plan.language ? { chosenLanguage: plan.language } : {}),
  });
  await deps.email.send({
    to: customer.email,
    ...content,
    caseId: collectionCase.caseId,
    customerId: collectionCase.customerId,
    stepId: `${plan.planId}-reminder-${number}`,
    template: 'instalment-reminder',
  });
}
