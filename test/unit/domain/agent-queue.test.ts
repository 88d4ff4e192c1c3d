import { describe, expect, it } from 'vitest';
import { agentQueueOrder, priorityOf } from '../../../shared/domain/agent-queue.ts';
import type { AgentTask } from '../../../shared/ports.ts';

function task(taskId: string, overrides: Partial<AgentTask>): AgentTask {
  return {
    taskId,
    kind: 'call-me',
    source: 'reply',
    customerId: 'stripe:cus_1',
    createdAt: '2026-03-02T10:00:00.000Z',
    status: 'open',
    sourceEventId: `evt_${taskId}`,
    ...overrides,
  };
}

describe('priorityOf', () => {
  it('puts disputes and hardship first and unreadable replies last, unless the source said otherwise', () => {
    expect(priorityOf({ kind: 'dispute' })).toBe('high');
    expect(priorityOf({ kind: 'hardship' })).toBe('high');
    expect(priorityOf({ kind: 'already-paid' })).toBe('normal');
    expect(priorityOf({ kind: 'unclear-reply' })).toBe('low');
    expect(priorityOf({ kind: 'strategy-hand-over', priority: 'high' })).toBe('high');
    expect(priorityOf({ kind: 'dispute', priority: 'low' })).toBe('low');
  });
});

describe('agentQueueOrder', () => {
  it('orders by urgency, then age, then id, without changing its input', () => {
    const tasks = [
      task('unclear', { kind: 'unclear-reply', createdAt: '2026-03-01T00:00:00.000Z' }),
      task('call-new', { createdAt: '2026-03-03T00:00:00.000Z' }),
      task('hand-over', { kind: 'strategy-hand-over', source: 'strategy', priority: 'high' }),
      task('call-old', { createdAt: '2026-03-01T00:00:00.000Z' }),
      task('dispute', { kind: 'dispute', source: 'portal', createdAt: '2026-03-04T00:00:00.000Z' }),
      task('call-b', { createdAt: '2026-03-02T00:00:00.000Z' }),
      task('call-a', { createdAt: '2026-03-02T00:00:00.000Z' }),
    ];
    const before = tasks.map((one) => one.taskId);
    expect(agentQueueOrder(tasks).map((one) => one.taskId)).toEqual([
      'hand-over',
      'dispute',
      'call-old',
      'call-a',
      'call-b',
      'call-new',
      'unclear',
    ]);
    expect(tasks.map((one) => one.taskId)).toEqual(before);
  });
});
