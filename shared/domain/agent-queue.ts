import type { AgentTask, AgentTaskKind } from '../ports.ts';

export type AgentTaskPriority = NonNullable<AgentTask['priority']>;

/**
 * How urgent a task is when its source set no priority. A dispute and declared hardship come
 * first: contact is already held on those claims and the clock runs (card-network dispute
 * deadlines, vulnerable-customer rules). A reply nobody could read comes last.
 */
const defaultPriority: Record<AgentTaskKind, AgentTaskPriority> = {
  dispute: 'high',
  hardship: 'high',
  'already-paid': 'normal',
  'call-me': 'normal',
  'contact-me': 'normal',
  'strategy-hand-over': 'normal',
  'promise-without-date': 'low',
  'unclear-reply': 'low',
};

const rank: Record<AgentTaskPriority, number> = { high: 0, normal: 1, low: 2 };

export function priorityOf(task: Pick<AgentTask, 'kind' | 'priority'>): AgentTaskPriority {
  return task.priority ?? defaultPriority[task.kind];
}

/** The agents' queue: most urgent first, then oldest first (nobody waits behind newer work of the same urgency). */
export function agentQueueOrder(tasks: readonly AgentTask[]): AgentTask[] {
  return [...tasks].sort(
    (a, b) =>
      rank[priorityOf(a)] - rank[priorityOf(b)] ||
      a.createdAt.localeCompare(b.createdAt) ||
      a.taskId.localeCompare(b.taskId),
  );
}
