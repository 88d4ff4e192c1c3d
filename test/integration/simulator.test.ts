import { describe, expect, it } from 'vitest';
import { startInProcessTarget } from '../../infra/local/simulator/product-target.ts';
import { runSimulation, type SimulationOptions } from '../../infra/local/simulator/run-simulation.ts';
import { renderReportMarkdown } from '../../infra/local/simulator/simulation-report.ts';
import type { Strategy } from '../../shared/domain/strategy.ts';

const clockStart = new Date('2026-03-02T00:00:00Z');

async function simulate(options: SimulationOptions, strategy?: Strategy, start = clockStart) {
  const target = await startInProcessTarget({ clockStart: start, ...(strategy ? { strategy } : {}) });
  try {
    return await runSimulation(target, options);
  } finally {
    await target.stop();
  }
}

describe('the simulator', () => {
  it('runs a seeded month against the in-process product with no invariant violation, reproducibly', async () => {
    // Prepare
    const options = { customers: 50, days: 20, seed: 42 };

    // Act
    const first = await simulate(options);
    const second = await simulate(options);

    // Assess
    expect(first.report.invariants.violations).toEqual([]);
    expect(first.report.invariants.passed).toBe(true);
    expect(first.report.webhooks.deliveries).toBeGreaterThan(20);
    expect(first.report.collections.casesOpened).toBeGreaterThan(0);
    expect(first.report.collections.messages).toBeGreaterThan(0);
    expect(first.report.journeys.executions).toBe(first.report.collections.casesOpened);
    // New cases follow the shipped routing: the B2C experiment (and the firm strategy for high amounts).
    expect(first.report.run.strategies).toEqual(
      expect.arrayContaining(['gentle-b2c@1', 'gentle-b2c-sms-first@1']),
    );
    expect(
      first.report.run.strategies.every((strategy) =>
        ['gentle-b2c@1', 'gentle-b2c-sms-first@1', 'firm-high-amount@1'].includes(strategy),
      ),
    ).toBe(true);
    // Every ingest surface: Stripe and the other providers, subscription changes included.
    const providers = new Set(Object.keys(first.report.webhooks.byProvider).map((key) => key.split(' ')[0]));
    expect(providers).toEqual(new Set(['stripe', 'paddle', 'chargebee', 'inhouse']));
    expect(first.report.webhooks.byType['customer.subscription.updated']).toBeGreaterThan(0);
    // Same seed, same product start: the very same report, to the byte.
    expect(JSON.stringify(second.report)).toBe(JSON.stringify(first.report));
    expect(renderReportMarkdown(second.report)).toBe(renderReportMarkdown(first.report));
  });

  it('shows the monthly close of a month that ends during the run, emailed with charts and CSV files', async () => {
    // Prepare: a week across the end of March 2026.
    const options = { customers: 60, days: 7, seed: 11 };

    // Act
    const { report } = await simulate(options, undefined, new Date('2026-03-27T00:00:00Z'));

    // Assess
    expect(report.invariants.checked).toContain('monthly-close-delivered');
    expect(report.invariants.violations).toEqual([]);
    expect(report.financeReports).toEqual([
      {
        reportId: 'monthly-2026-03',
        sentAt: '2026-04-01T08:00:00.000Z',
        charts: expect.any(Number),
        csvFiles: ['summary.csv', 'breakdowns.csv', 'buckets.csv', 'lift.csv'],
      },
    ]);
    expect(report.financeReports[0]?.charts).toBeGreaterThanOrEqual(3);
    expect(renderReportMarkdown(report)).toContain('| monthly-2026-03 | 2026-04-01T08:00:00.000Z |');
  });

  it('runs the strategy it is given, with no invariant violation', async () => {
    const quickStrategy: Strategy = {
      id: 'one-reminder',
      version: 1,
      name: 'One email on day 0, one reminder on day 2',
      steps: [
        {
          id: 'day-0-payment-failed',
          timing: { from: 'first-failure', days: 0, hours: 0 },
          action: { type: 'send-message', channels: ['email'], template: 'payment-failed' },
        },
        {
          id: 'day-2-reminder',
          timing: { from: 'first-failure', days: 2, hours: 0 },
          action: { type: 'send-message', channels: ['email'], template: 'payment-reminder' },
        },
      ],
    };

    const other = await simulate({ customers: 40, days: 12, seed: 7 }, quickStrategy);

    expect(other.report.invariants.violations).toEqual([]);
    expect(other.report.run.strategies).toEqual(['one-reminder@1']);
    expect(Object.keys(other.report.collections.messagesByStep).sort()).toEqual(
      expect.arrayContaining(['day-0-payment-failed']),
    );
    expect(
      Object.keys(other.report.collections.messagesByStep).every((step) =>
        ['day-0-payment-failed', 'day-2-reminder'].includes(step),
      ),
    ).toBe(true);
    expect(other.report.run.runTag).not.toBe('');
  });
});
