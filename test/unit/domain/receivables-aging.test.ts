import { describe, expect, it } from 'vitest';
import type { Claim } from '../../../shared/domain/claim.ts';
import { type AgingBucket, agingBuckets, receivablesAt } from '../../../shared/domain/finance-metrics.ts';
import { CellAccumulator, CellIndex, type MetricCell } from '../../../shared/domain/metric-cells.ts';
import {
  claimContribution,
  type MetricsSettings,
  parseFactKey,
} from '../../../shared/domain/metric-contributions.ts';
import { addDays, daysBetween, type LocalDay, monthsOf } from '../../../shared/domain/metrics-calendar.ts';
import { scenarioClaim } from '../../support/finance-scenarios.ts';

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };
const reportDay = '2026-06-30';

const at = (day: LocalDay, hour = 12): string => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** Every day cell of the test is loaded: months with no cell are empty, not missing. */
function indexOf(cells: readonly MetricCell[]): CellIndex {
  return new CellIndex(
    cells.filter((cell) => cell.granularity === 'month'),
    cells.filter((cell) => cell.granularity === 'day'),
    monthsOf({ start: '2025-01-01', end: '2027-12-31' }),
  );
}

function cellsOfClaims(claims: readonly Claim[]): MetricCell[] {
  const cells = new CellAccumulator();
  for (const claim of claims) cells.add(claimContribution({ claim }, settings));
  return cells.list();
}

function agingOf(
  claims: readonly Claim[],
  day: LocalDay,
): { open: number; aging: Record<AgingBucket, number> } {
  const stock = receivablesAt(indexOf(cellsOfClaims(claims)), day);
  return {
    open: stock.open,
    aging: Object.fromEntries(agingBuckets.map((bucket) => [bucket, stock.aging.get(bucket) ?? 0])) as Record<
      AgingBucket,
      number
    >,
  };
}

/** An open invoice issued 120 days before the report day, due `pastDue` days before it. */
const openInvoice = (id: string, amountMinor: number, pastDue: number, issuedDaysBefore = 120): Claim =>
  scenarioClaim(id, {
    amountMinor,
    currency: 'USD',
    issuedAt: at(addDays(reportDay, -issuedDaysBefore)),
    dueAt: at(addDays(reportDay, -pastDue)),
  });

describe('receivables aging from interval flows', () => {
  it('puts each invoice in its bucket at the boundaries: due today, 1, 30, 31, 60, 61, 90 and 91 days past due', () => {
    // Prepare: distinct powers of two so every bucket's sum names its invoices.
    const claims = [
      openInvoice('due-today', 1, 0),
      openInvoice('past-1', 2, 1),
      openInvoice('past-30', 4, 30),
      openInvoice('past-31', 8, 31),
      openInvoice('past-60', 16, 60),
      openInvoice('past-61', 32, 61),
      openInvoice('past-90', 64, 90),
      openInvoice('past-91', 128, 91),
    ];

    // Act
    const { open, aging } = agingOf(claims, reportDay);

    // Assess
    expect(open).toBe(255);
    expect(aging).toEqual({ current: 1, '1-30': 2 + 4, '31-60': 8 + 16, '61-90': 32 + 64, 'over-90': 128 });
  });

  it('never ages an invoice settled on its due day, and removes it from the receivables that day', () => {
    // Prepare: issued 40 days before the report day, due and paid 10 days before it.
    const paidOnDue = scenarioClaim('paid-on-due', {
      amountMinor: 500,
      currency: 'USD',
      issuedAt: at(addDays(reportDay, -40)),
      dueAt: at(addDays(reportDay, -10), 9),
      paidAt: at(addDays(reportDay, -10), 18),
    });

    // Act
    const contribution = claimContribution({ claim: paidOnDue }, settings);
    const dayBefore = agingOf([paidOnDue], addDays(reportDay, -11));
    const dueDay = agingOf([paidOnDue], addDays(reportDay, -10));

    // Assess
    expect(
      Object.keys(contribution).filter((key) => parseFactKey(key).measure.startsWith('pastDue')),
    ).toEqual([]);
    expect(dayBefore).toEqual({
      open: 500,
      aging: { current: 500, '1-30': 0, '31-60': 0, '61-90': 0, 'over-90': 0 },
    });
    expect(dueDay.open).toBe(0);
  });

  it('ages an invoice issued after its due date as past due from its issue day', () => {
    // Prepare: due 100 days before the report day, issued 5 days before it.
    const late = openInvoice('issued-late', 700, 100, 5);

    // Act
    const beforeIssue = agingOf([late], addDays(reportDay, -6));
    const onReportDay = agingOf([late], reportDay);
    const pastDueFacts = Object.entries(claimContribution({ claim: late }, settings))
      .map(([key, value]) => ({ ...parseFactKey(key), value }))
      .filter((fact) => fact.measure.startsWith('pastDue'));

    // Assess
    expect(beforeIssue.open).toBe(0);
    expect(onReportDay.aging['over-90']).toBe(700);
    expect(onReportDay.aging.current).toBe(0);
    expect(pastDueFacts.map((fact) => [fact.day, fact.measure, fact.value])).toEqual(
      ['pastDue1', 'pastDue31', 'pastDue61', 'pastDue91'].map((name) => [
        addDays(reportDay, -5),
        `${name}.amount`,
        700,
      ]),
    );
  });

  it('dates the aging of a future due date in the future and counts it only once that day is reached', () => {
    // Prepare: issued 3 days before the report day, due 20 days after it.
    const future = scenarioClaim('future-due', {
      amountMinor: 900,
      currency: 'USD',
      issuedAt: at(addDays(reportDay, -3)),
      dueAt: at(addDays(reportDay, 20)),
    });

    // Act
    const now = agingOf([future], reportDay);
    const dueDay = agingOf([future], addDays(reportDay, 20));
    const dayAfterDue = agingOf([future], addDays(reportDay, 21));
    const later = agingOf([future], addDays(reportDay, 20 + 91));

    // Assess
    expect(now.aging.current).toBe(900);
    expect(dueDay.aging.current).toBe(900);
    expect(dayAfterDue.aging['1-30']).toBe(900);
    expect(later.aging['over-90']).toBe(900);
    expect(later.open).toBe(900);
  });

  it('equals aging computed directly from the claims on every day, for random invoices', () => {
    // Prepare: a seeded set of invoices issued, due and settled around the report day.
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const start = '2026-01-01';
    const claims: Claim[] = [];
    for (let n = 0; n < 300; n += 1) {
      const issued = addDays(start, Math.floor(random() * 200));
      const due = addDays(issued, Math.floor(random() * 90) - 20);
      const settled = random() < 0.6 ? addDays(issued, Math.floor(random() * 200)) : undefined;
      const writtenOff = settled !== undefined && random() < 0.3;
      claims.push(
        scenarioClaim(`random-${n}`, {
          amountMinor: 100 + n,
          currency: 'USD',
          issuedAt: at(issued, 10),
          dueAt: at(due, 11),
          ...(settled === undefined
            ? {}
            : writtenOff
              ? { writtenOffAt: at(settled, 13) }
              : { paidAt: at(settled, 13) }),
        }),
      );
    }
    const index = indexOf(cellsOfClaims(claims));

    // Act + Assess: day by day against a direct computation.
    for (let offset = 0; offset < 420; offset += 3) {
      const day = addDays(start, offset);
      const direct = new Map<AgingBucket, number>(agingBuckets.map((bucket) => [bucket, 0]));
      let open = 0;
      for (const claim of claims) {
        const issued = (claim.issuedAt as string).slice(0, 10);
        const settledAt = claim.paidAt ?? claim.writtenOffAt;
        const settled = settledAt?.slice(0, 10);
        if (issued > day || (settled !== undefined && settled <= day)) continue;
        open += claim.amountMinor;
        const pastDue = daysBetween((claim.dueAt as string).slice(0, 10), day);
        const bucket: AgingBucket =
          pastDue <= 0
            ? 'current'
            : pastDue <= 30
              ? '1-30'
              : pastDue <= 60
                ? '31-60'
                : pastDue <= 90
                  ? '61-90'
                  : 'over-90';
        direct.set(bucket, (direct.get(bucket) ?? 0) + claim.amountMinor);
      }
      const stock = receivablesAt(index, day);
      expect({ day, open: stock.open, aging: Object.fromEntries(stock.aging) }).toEqual({
        day,
        open,
        aging: Object.fromEntries(direct),
      });
    }
  });

  it('holds at most the same five receivable measures per cell whatever the number of due days', () => {
    // Prepare: 200 invoices, each due on a different day.
    const claims = Array.from({ length: 200 }, (_, n) => openInvoice(`spread-${n}`, 100, n - 50, 300));

    // Act
    const measures = new Set(
      cellsOfClaims(claims).flatMap((cell) =>
        Object.keys(cell.values).filter(
          (measure) => measure.startsWith('open') || measure.startsWith('pastDue'),
        ),
      ),
    );

    // Assess
    expect([...measures].sort()).toEqual([
      'open.amount',
      'pastDue1.amount',
      'pastDue31.amount',
      'pastDue61.amount',
      'pastDue91.amount',
    ]);
  });

  it('still ages cells written with the first version’s open@due measures, added to the new ones', () => {
    // Prepare: a legacy cell (open@due=<day> measures, + on the issue day) next to a new claim.
    const legacy: MetricCell[] = [
      {
        currency: 'USD',
        granularity: 'day',
        period: '2026-03-02',
        values: { 'open@due=2026-03-02': 300, 'open@due=2026-05-15': 40 },
      },
      {
        currency: 'USD',
        granularity: 'month',
        period: '2026-03',
        values: { 'open@due=2026-03-02': 300, 'open@due=2026-05-15': 40 },
      },
    ];
    const cells = new CellAccumulator();
    for (const cell of [...legacy, ...cellsOfClaims([openInvoice('new', 5, 45)])]) cells.addCell(cell);

    // Act
    const stock = receivablesAt(indexOf(cells.list()), reportDay);

    // Assess: 2026-03-02 is 120 days before 2026-06-30, 2026-05-15 is 46 days before.
    expect(stock.open).toBe(345);
    expect(Object.fromEntries(stock.aging)).toEqual({
      current: 0,
      '1-30': 0,
      '31-60': 45,
      '61-90': 0,
      'over-90': 300,
    });
  });
});
