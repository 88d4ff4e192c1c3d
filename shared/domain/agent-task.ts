/**
 * A case handed to a collection agent by a strategy step (`hand-to-agent`): the agent console
 * lists open tasks per queue. One task per case and step, so a retried step creates none twice.
 */
export interface AgentTask {
  readonly taskId: string;
  readonly caseId: string;
  readonly customerId: string;
  readonly stepId: string;
  readonly queue: string;
  readonly priority: 'low' | 'normal' | 'high';
  /** Why the strategy hands the case over, in the strategy author's words. */
  readonly reason: string;
  /** The claims to work (open and not disputed when the task was created). */
  readonly claimIds: readonly string[];
  readonly status: 'open' | 'done';
  readonly createdAt: string;
}

export function agentTaskIdFor(caseId: string, stepId: string): string {
  return `${caseId}#${stepId}`;
}
