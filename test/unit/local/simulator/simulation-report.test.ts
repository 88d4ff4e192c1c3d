import { describe, expect, it } from 'vitest';
import { reportedStep } from '../../../../infra/local/simulator/simulation-report.ts';

describe('reportedStep', () => {
  it('counts the steps named after a random record by kind, and journey steps as they are', () => {
    expect(reportedStep('plan_125d41f6-93aa-4ce0-b10b-9329d7679509-reminder-2')).toBe('plan-reminder-2');
    expect(reportedStep('reply-sim-stop-local-866ae03c-9486-485a-86a1-07bffaeaea79')).toBe('reply');
    expect(reportedStep('day-3-reminder')).toBe('day-3-reminder');
    expect(reportedStep('plan_offer')).toBe('plan_offer');
  });
});
