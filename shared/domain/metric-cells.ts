import type { Contribution } from './metric-contributions.ts';
import { legacyOpenByDuePrefix, parseFactKey } from './metric-contributions.ts';
import {
  firstDayOfMonth,
  type LocalDay,
  type LocalMonth,
  lastDayOfMonth,
  monthOf,
  monthsOf,
} from './metrics-calendar.ts';

/**
 * The aggregates: one cell per currency and local day, and one per currency and month holding the
 * same facts summed, so a report reads a month in one item and any day range with at most two
 * partial months of day cells. Each cell maps measure → signed integer total.
 */
export type CellGranularity = 'day' | 'month';

export interface CellRef {
  readonly currency: string;
  readonly granularity: CellGranularity;
  /** `YYYY-MM-DD` for a day cell, `YYYY-MM` for a month cell. */
  readonly period: string;
}

export interface MetricCell extends CellRef {
  readonly values: Readonly<Record<string, number>>;
}

export function cellId(ref: CellRef): string {
  return `${ref.currency}#${ref.granularity}#${ref.period}`;
}

function addChecked(a: number, b: number, what: string): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`${what} total ${sum} is too large to report exactly`);
  return sum;
}

/** Spreads facts into the day and month cells they belong to. Cells with no change are left out. */
export function cellsOf(contribution: Contribution): MetricCell[] {
  const cells = new Map<string, { ref: CellRef; values: Record<string, number> }>();
  for (const [key, value] of Object.entries(contribution)) {
    const { currency, day, measure } = parseFactKey(key);
    for (const ref of [
      { currency, granularity: 'day' as const, period: day },
      { currency, granularity: 'month' as const, period: monthOf(day) },
    ]) {
      const id = cellId(ref);
      let cell = cells.get(id);
      if (cell === undefined) {
        cell = { ref, values: {} };
        cells.set(id, cell);
      }
      const next = addChecked(cell.values[measure] ?? 0, value, measure);
      if (next === 0) delete cell.values[measure];
      else cell.values[measure] = next;
    }
  }
  return [...cells.values()]
    .filter((cell) => Object.keys(cell.values).length > 0)
    .map((cell) => ({ ...cell.ref, values: cell.values }));
}

/** Sums contributions into cells: what the live aggregates must equal (the rebuild's reference). */
export class CellAccumulator {
  private readonly cells = new Map<string, { ref: CellRef; values: Record<string, number> }>();

  public add(contribution: Contribution): void {
    for (const cell of cellsOf(contribution)) this.addCell(cell);
  }

  public addCell(cell: MetricCell): void {
    const id = cellId(cell);
    let target = this.cells.get(id);
    if (target === undefined) {
      target = {
        ref: { currency: cell.currency, granularity: cell.granularity, period: cell.period },
        values: {},
      };
      this.cells.set(id, target);
    }
    for (const [measure, value] of Object.entries(cell.values)) {
      const next = addChecked(target.values[measure] ?? 0, value, measure);
      if (next === 0) delete target.values[measure];
      else target.values[measure] = next;
    }
  }

  public list(): MetricCell[] {
    return [...this.cells.values()]
      .map((cell) => ({ ...cell.ref, values: cell.values }))
      .sort((a, b) => (cellId(a) < cellId(b) ? -1 : 1));
  }
}

/** Values equal, ignoring measures at zero (a cell whose facts cancelled out may keep zeros). */
export function sameCellValues(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? 0) !== (b[key] ?? 0)) return false;
  return true;
}

/**
 * The cells a report loaded, answering sums over day ranges: whole months from month cells,
 * partial months from day cells. Asking for a partial month whose day cells were not loaded is a
 * programming error and throws, rather than silently reading zeros.
 */
export class CellIndex {
  private readonly months = new Map<LocalMonth, Readonly<Record<string, number>>>();
  private readonly days = new Map<LocalMonth, Map<LocalDay, Readonly<Record<string, number>>>>();
  private readonly loadedDayMonths: ReadonlySet<LocalMonth>;

  public constructor(
    monthCells: readonly MetricCell[],
    dayCells: readonly MetricCell[],
    loadedDayMonths: Iterable<LocalMonth>,
    /** The last day whose day cells were loaded (a report's period end): later days are absent. */
    private readonly dayCellsUpTo?: LocalDay,
  ) {
    for (const cell of monthCells) this.months.set(cell.period, cell.values);
    for (const cell of dayCells) {
      const month = monthOf(cell.period);
      let days = this.days.get(month);
      if (days === undefined) {
        days = new Map();
        this.days.set(month, days);
      }
      days.set(cell.period, cell.values);
    }
    this.loadedDayMonths = new Set(loadedDayMonths);
  }

  /** Month cells in month order. */
  public monthEntries(): [LocalMonth, Readonly<Record<string, number>>][] {
    return [...this.months].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  private valuesIn(from: LocalDay, to: LocalDay): Readonly<Record<string, number>>[] {
    if (to < from) return [];
    const parts: Readonly<Record<string, number>>[] = [];
    for (const month of monthsOf({ start: from, end: to })) {
      if (from <= firstDayOfMonth(month) && lastDayOfMonth(month) <= to) {
        const values = this.months.get(month);
        if (values) parts.push(values);
        continue;
      }
      if (!this.loadedDayMonths.has(month)) throw new Error(`day cells of ${month} were not loaded`);
      if (this.dayCellsUpTo !== undefined && to > this.dayCellsUpTo) {
        throw new Error(`day cells after ${this.dayCellsUpTo} were not loaded`);
      }
      for (const [day, values] of this.days.get(month) ?? []) {
        if (from <= day && day <= to) parts.push(values);
      }
    }
    return parts;
  }

  /** Sum of each measure accepted by `select` over the days `from`..`to` inclusive. */
  public sumRange(from: LocalDay, to: LocalDay, select: (measure: string) => boolean): Map<string, number> {
    const totals = new Map<string, number>();
    for (const values of this.valuesIn(from, to)) {
      for (const [measure, value] of Object.entries(values)) {
        if (select(measure)) totals.set(measure, addChecked(totals.get(measure) ?? 0, value, measure));
      }
    }
    return totals;
  }

  /** Every measure accepted by `select` summed over all days up to `to` inclusive: a stock at the end of `to`. */
  public cumulative(to: LocalDay, select: (measure: string) => boolean): Map<string, number> {
    const first = this.monthEntries()[0]?.[0];
    if (first === undefined || firstDayOfMonth(first) > to) return new Map();
    return this.sumRange(firstDayOfMonth(first), to, select);
  }
}

/**
 * A cell is stored as two parts: the core measures every report reads for the whole history
 * (flows and stocks: failed, recovered, billed, open, pastDue, MRR...), and the breakdown copies
 * (`measure@dimension=value`) that only the period's own cells are read for. The core part's size
 * is fixed by the list of measures; the breakdown part's grows with the strategies, variants,
 * segments, channels and steps in use, so a report's cost stays flat however long the history.
 */
export type CellPart = 'core' | 'breakdowns';

export function cellPartOf(measure: string): CellPart {
  // `open@due=` is the receivables measure of the first layout, a core measure (metric-contributions.ts).
  return measure.includes('@') && !measure.startsWith(legacyOpenByDuePrefix) ? 'breakdowns' : 'core';
}

/** The measures of a cell's values that belong to `part`. */
export function partOfValues(
  values: Readonly<Record<string, number>>,
  part: CellPart,
): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([measure]) => cellPartOf(measure) === part));
}
