import { beforeAll, describe, expect, it } from 'vitest';
import { PortalTable } from '../../../../shared/adapters/dynamodb/portal-table.ts';
import { ConcurrentUpdateError } from '../../../../shared/domain/errors.ts';
import { newLinkId } from '../../../../shared/domain/portal/portal-link.ts';
import { embeddedCollectionsTablePerFile } from '../../../support/embedded-collections-table.ts';

describe('PortalTable', () => {
  const store = embeddedCollectionsTablePerFile();
  let portal: PortalTable;

  beforeAll(async () => {
    portal = new PortalTable(store.db.client, store.db.tableName);
    await store.table.createCase({
      caseId: 'case_portal_1',
      customerId: 'stripe:cus_P1',
      status: 'open',
      openedAt: '2026-03-02T09:00:00.000Z',
      claimIds: ['stripe:in_P1'],
      strategyId: 'default',
      strategyVersion: 1,
    });
  });

  it('counts requests per window and refuses once the limit is reached, until the next window', async () => {
    const at = new Date('2026-03-02T10:00:00Z');
    const results = [];
    for (let index = 0; index < 4; index += 1) results.push(await portal.consume('link#abc', 3, 3600, at));
    expect(results).toEqual([true, true, true, false]);
    expect(await portal.consume('link#other', 3, 3600, at)).toBe(true);
    expect(await portal.consume('link#abc', 3, 3600, new Date('2026-03-02T11:00:00Z'))).toBe(true);
  });

  it('lets exactly the limit through when requests race', async () => {
    const at = new Date('2026-03-02T12:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 12 }, () => portal.consume('address#race', 5, 3600, at)),
    );
    expect(results.filter(Boolean)).toHaveLength(5);
  });

  it('stores links, revokes one, and keeps the link id out of every other key', async () => {
    const linkId = newLinkId();
    const link = {
      linkId,
      caseId: 'case_portal_1',
      customerId: 'stripe:cus_P1',
      issuedAt: '2026-03-02T09:00:00.000Z',
      expiresAt: '2026-03-16T09:00:00.000Z',
      purpose: 'day-0-payment-failed',
    };
    await portal.putPortalLink(link);
    await expect(portal.putPortalLink(link)).rejects.toThrow();
    expect(await portal.getPortalLink(linkId)).toEqual(link);
    await portal.revokePortalLink(linkId, new Date('2026-03-03T00:00:00Z'));
    expect((await portal.getPortalLink(linkId))?.revokedAt).toBe('2026-03-03T00:00:00.000Z');
  });

  it('writes the portal fields of a case under an optimistic lock, removing absent ones', async () => {
    await portal.updateCasePortalState('case_portal_1', 0, {
      pausedUntil: '2026-03-08T23:00:00Z',
      pauseReason: 'promise-to-pay',
    });
    await expect(
      portal.updateCasePortalState('case_portal_1', 0, { brokenPromises: 1 }),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    await portal.updateCasePortalState('case_portal_1', 1, { brokenPromises: 1 });
    const stored = await store.table.getCase('case_portal_1');
    expect(stored).toMatchObject({ status: 'open', brokenPromises: 1, portalVersion: 2 });
    expect(stored).not.toHaveProperty('pausedUntil');
  });

  it('lists the cases whose commitment check is due, and forgets a check set to never', async () => {
    await portal.scheduleCommitmentCheck('case_due_a', '2026-03-05T10:00:00Z');
    await portal.scheduleCommitmentCheck('case_due_b', '2026-03-07T10:00:00Z');
    expect(await portal.listDueCommitmentChecks(new Date('2026-03-05T10:00:00Z'))).toEqual(['case_due_a']);
    expect(await portal.listDueCommitmentChecks(new Date('2026-03-08T00:00:00Z'))).toEqual([
      'case_due_a',
      'case_due_b',
    ]);
    await portal.scheduleCommitmentCheck('case_due_a', undefined);
    expect(await portal.listDueCommitmentChecks(new Date('2026-03-08T00:00:00Z'))).toEqual(['case_due_b']);
    // The open-cases index is shared: portal items never show up as open cases.
    expect(await store.table.listOpenCaseIds()).toEqual(['case_portal_1']);
  });

  it('records interactions', async () => {
    await portal.recordInteraction({
      caseId: 'case_portal_1',
      at: '2026-03-02T10:00:00.000Z',
      kind: 'portal-opened',
    });
    expect(await portal.listInteractions('case_portal_1')).toEqual([
      { caseId: 'case_portal_1', at: '2026-03-02T10:00:00.000Z', kind: 'portal-opened' },
    ]);
  });
});
