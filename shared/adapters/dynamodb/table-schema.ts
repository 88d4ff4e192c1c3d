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
    /** Sparse index of open cases, so journeys can be resumed and queues listed. */
    openCases: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export const keys = {
  event: (provider: string, eventId: string) => ({ pk: `EVENT#${provider}#${eventId}`, sk: 'EVENT' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  claim: (claimId: string) => ({ pk: `CLAIM#${claimId}`, sk: 'CLAIM' }),
  collectionCase: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  message: (caseId: string, stepId: string) => ({ pk: `CASE#${caseId}`, sk: `MESSAGE#${stepId}` }),
  recoveryMetrics: (cohortMonth: string, currency: string) => ({
    pk: 'METRICS#RECOVERY',
    sk: `COHORT#${cohortMonth}#${currency}`,
  }),
  failureMonthPartition: (month: string) => `FAILED#${month}`,
  openCasesPartition: 'OPEN_CASE',
  agentTask: (caseId: string, stepId: string) => ({ pk: `CASE#${caseId}`, sk: `TASK#${stepId}` }),
  /** Open agent tasks of a queue share the sparse open-items index with open cases. */
  openAgentTasksPartition: (queue: string) => `OPEN_TASK#${queue}`,
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
