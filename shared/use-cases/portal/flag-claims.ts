import { randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../../domain/errors.ts';
import type { CaseFlagKind, ClaimHold } from '../../domain/portal/commitments.ts';
import type { AgentTask } from '../../ports.ts';
import type { PortalContext } from './load-portal-context.ts';
import type { PortalDependencies } from './portal-dependencies.ts';
import { portalStateOf, updatePortalState } from './update-portal-state.ts';

/** A free-text note is for the agent; it is capped so a form cannot fill the item (400 KB limit). */
export const maxNoteLength = 2000;

/**
 * Dispute, "already paid", hardship, "contact me": holds contact about the chosen claims for the
 * policy's period and creates an agent task. The task is written first: a hold without a task
 * would silence a claim nobody looks at.
 */
export async function flagClaims(
  context: PortalContext,
  request: { readonly kind: CaseFlagKind; readonly claimIds: readonly string[]; readonly note?: string },
  deps: PortalDependencies,
): Promise<AgentTask> {
  const open = new Set(context.openClaims.map((claim) => claim.claimId));
  const claimIds = [...new Set(request.claimIds)];
  if (claimIds.length === 0 || claimIds.some((id) => !open.has(id))) {
    throw new InvalidRequestError('choose at least one open invoice');
  }
  const note = request.note?.trim().slice(0, maxNoteLength);
  const now = deps.clock.now();
  const task: AgentTask = {
    taskId: `task_${randomUUID()}`,
    kind: request.kind,
    source: 'portal',
    caseId: context.collectionCase.caseId,
    customerId: context.collectionCase.customerId,
    claimIds,
    ...(note ? { note } : {}),
    createdAt: now.toISOString(),
    status: 'open',
    sourceEventId: `portal-link:${context.link.linkId}`,
  };
  await deps.agentTasks.createAgentTask(task);
  const until = new Date(now.getTime() + deps.policy.holdDays[request.kind] * 86_400_000).toISOString();
  await updatePortalState(context.collectionCase.caseId, deps, (collectionCase) => {
    const holds: Record<string, ClaimHold> = { ...collectionCase.claimHolds };
    for (const claimId of claimIds) {
      const existing = holds[claimId];
      // A longer hold already in place stays; a new flag never shortens one.
      if (existing !== undefined && Date.parse(existing.until) >= Date.parse(until)) continue;
      holds[claimId] = { kind: request.kind, since: now.toISOString(), until, taskId: task.taskId };
    }
    return { state: { ...portalStateOf(collectionCase), claimHolds: holds }, result: undefined };
  });
  await deps.portal.recordInteraction({
    caseId: context.collectionCase.caseId,
    at: now.toISOString(),
    kind: 'claims-flagged',
    detail: { linkId: context.link.linkId, flag: request.kind, taskId: task.taskId, claims: claimIds.length },
  });
  return task;
}
