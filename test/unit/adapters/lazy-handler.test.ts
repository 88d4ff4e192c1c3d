import { describe, expect, it } from 'vitest';
import { lazyHandler } from '../../../shared/adapters/lazy-handler.ts';
import { lambdaContext } from '../../support/lambda-events.ts';

describe('lazyHandler', () => {
  it('builds nothing at import and builds the handler once, on the first invocation', async () => {
    // Prepare
    let builds = 0;
    const handler = lazyHandler(() => {
      builds += 1;
      return async (event: { caseId: string }) => `planned ${event.caseId}`;
    });
    const context = lambdaContext('collections-plan-next-action');
    const before = builds;

    // Act
    const first = await handler({ caseId: 'case_a' }, context);
    const second = await handler({ caseId: 'case_b' }, context);

    // Assess
    expect(before).toBe(0);
    expect(builds).toBe(1);
    expect([first, second]).toEqual(['planned case_a', 'planned case_b']);
  });

  it('lets a failed build fail the invocation and tries again on the next one', async () => {
    // Prepare: a missing variable fails the first invocation; the environment is then fixed.
    let attempts = 0;
    const handler = lazyHandler(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('Invalid environment: TABLE_NAME: Required');
      return async () => 'ok';
    });
    const context = lambdaContext('collections-plan-next-action');

    // Act
    // Whether the build error is thrown or rejected, the invocation fails.
    const failing = (async () => handler({}, context))();
    const next = await handler({}, context);

    // Assess
    await expect(failing).rejects.toThrow('TABLE_NAME');
    expect(next).toBe('ok');
  });
});
