import { describe, expect, it, vi } from 'vitest';
import { forgetDrawnCharts, renderChartPng } from '../../../../shared/adapters/reports/chart-renderer.ts';

/** How many images resvg was asked to draw. */
const drawn = vi.hoisted(() => ({ count: 0 }));
vi.mock('@resvg/resvg-wasm', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@resvg/resvg-wasm')>();
  class CountedResvg extends actual.Resvg {
    public constructor(...args: ConstructorParameters<typeof actual.Resvg>) {
      super(...args);
      drawn.count += 1;
    }
  }
  return { ...actual, Resvg: CountedResvg };
});

const bars = (values: number[], size = { width: 120, height: 60 }) =>
  ({
    ...size,
    data: { values: values.map((amount, index) => ({ index, amount })) },
    mark: 'bar',
    encoding: { x: { field: 'index', type: 'ordinal' }, y: { field: 'amount', type: 'quantitative' } },
  }) as const;

describe('renderChartPng', () => {
  it('draws a chart again only when its spec changed, and hands each caller its own bytes', async () => {
    // Prepare
    const before = drawn.count;

    // Act
    const first = await renderChartPng(bars([1, 2, 3]));
    first.fill(0);
    const again = await renderChartPng(bars([1, 2, 3]));
    const other = await renderChartPng(bars([3, 2, 1]));

    // Assert
    expect(drawn.count - before).toBe(2);
    expect([...again.slice(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(Buffer.from(other).equals(Buffer.from(again))).toBe(false);
  });

  it('draws the same bytes as from memory: rendering is deterministic', async () => {
    // Prepare: more distinct charts than it keeps push the first one out.
    const first = await renderChartPng(bars([7, 7, 7]));
    for (let index = 0; index < 100; index += 1) {
      await renderChartPng(bars([index, 1], { width: 8, height: 8 }));
    }
    const before = drawn.count;

    // Act
    const redrawn = await renderChartPng(bars([7, 7, 7]));

    // Assert
    expect(drawn.count - before).toBe(1);
    expect(Buffer.from(redrawn).equals(Buffer.from(first))).toBe(true);
  });

  it('draws every chart again once told to forget them', async () => {
    await renderChartPng(bars([4, 5, 6]));
    forgetDrawnCharts();
    const before = drawn.count;

    await renderChartPng(bars([4, 5, 6]));

    expect(drawn.count - before).toBe(1);
  });
});
