/**
 * The single table's key schema, shared by the CDK construct that creates it and the adapter
 * that reads it, so the two cannot drift. Every attribute is a string.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {
    /** Claims by the month of their first failure: recovery metrics read one cohort at a time. */
    claimsByFailureMonth: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /**
     * Sparse index of open cases, so journeys can be resumed and queues listed. The portal shares
     * it under its own partitions: due commitment checks, open agent tasks (docs/portal.md).
     */
    openCases: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export const keys = {
  event: (provider: string, eventId: string) => ({ pk: `EVENT#${provider}#${eventId}`, sk: 'EVENT' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  claim: (claimId: string) => ({ pk: `CLAIM#${claimId}`, sk: 'CLAIM' }),
  collectionCase: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  message: (caseId: string, stepId: string) => ({ pk: `CASE#${caseId}`, sk: `MESSAGE#${stepId}` }),
  subscription: (subscriptionId: string) => ({ pk: `SUBSCRIPTION#${subscriptionId}`, sk: 'SUBSCRIPTION' }),
  ignoredEvents: (provider: string, sourceType: string) => ({
    pk: 'IGNORED_EVENTS',
    sk: `${provider}#${sourceType}`,
  }),
  cursor: (name: string) => ({ pk: `CURSOR#${name}`, sk: 'CURSOR' }),
  interaction: (
    owner: { caseId?: string; customerId?: string },
    occurredAt: string,
    interactionId: string,
  ) => ({
    pk: owner.caseId ? `CASE#${owner.caseId}` : `CUSTOMER#${owner.customerId ?? ''}`,
    sk: `INTERACTION#${occurredAt}#${interactionId}`,
  }),
  consent: (customerId: string, channel: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `CONSENT#${channel}`,
  }),
  address: (channel: string, address: string) => ({ pk: `ADDRESS#${channel}#${address}`, sk: 'ADDRESS' }),
  promise: (caseId: string, madeAt: string, sourceEventId: string) => ({
    pk: `CASE#${caseId}`,
    sk: `PROMISE#${madeAt}#${sourceEventId}`,
  }),
  agentTask: (customerId: string, taskId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `TASK#${taskId}` }),
  autoReply: (channel: string, inboundMessageId: string) => ({
    pk: `AUTOREPLY#${channel}#${inboundMessageId}`,
    sk: 'AUTOREPLY',
  }),
  /** Open agent tasks share the sparse open-cases index under their own partition. */
  openTasksPartition: 'OPEN_TASK',
  failureMonthPartition: (month: string) => `FAILED#${month}`,
  portalLink: (linkId: string) => ({ pk: `PORTAL_LINK#${linkId}`, sk: 'LINK' }),
  /** Portal interactions: their own prefix, apart from the channel interactions of the timeline. */
  portalInteraction: (caseId: string, at: string, id: string) => ({
    pk: `CASE#${caseId}`,
    sk: `PORTAL_INTERACTION#${at}#${id}`,
  }),
  commitmentCheck: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'COMMITMENT_CHECK' }),
  rateLimit: (key: string, windowStart: number) => ({ pk: `RATE#${key}`, sk: `WINDOW#${windowStart}` }),
  dueCommitmentsPartition: 'COMMITMENT_DUE',
  openCasesPartition: 'OPEN_CASE',
  /** Strategy versions are immutable: one item per version, zero-padded so they sort. */
  strategyVersion: (id: string, version: number) => ({
    pk: `STRATEGY#${id}`,
    sk: `VERSION#${String(version).padStart(6, '0')}`,
  }),
  strategyRoutingVersion: (version: number) => ({
    pk: 'STRATEGY_ROUTING',
    sk: `VERSION#${String(version).padStart(6, '0')}`,
  }),
} as const;
