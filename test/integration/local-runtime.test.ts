import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCollectionsApp } from '../../infra/collections-app.ts';
import { WorkflowName } from '../../infra/constructs/workflow-metadata.ts';
import { locallyRunStates } from '../../infra/local/local-journey-engine.ts';
import { startLocalRuntime } from '../../infra/local/local-runtime.ts';
import { resolveIntrinsics, type SynthesizedSchedule } from '../../infra/local/synthesized-app.ts';
import { RebuildState } from '../../workflows/rebuild-metric-aggregates.ts';
import { defaultStrategyOnly } from '../support/strategy-catalogs.ts';
import { LocalRuntimeClient } from './support/local-runtime-client.ts';

const day = 24 * 3600;
const clockStart = new Date('2026-03-02T03:00:00Z');
const debtor = {
  customerId: 'cus_RESTART',
  invoiceId: 'in_RESTART',
  email: 'robin@example.com',
  timeZone: 'Europe/Paris',
} as const;

describe('the local runtime', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('resumes every open journey after a restart, losing and repeating no step', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'collections-restart-'));
    dataDirs.push(dataDir);
    const first = await startLocalRuntime({ port: 0, dataDir, clockStart, strategies: defaultStrategyOnly });
    const firstClient = new LocalRuntimeClient(first);
    const failed = await firstClient.deliverStripeEvent('invoice.payment_failed', debtor);
    await firstClient.advance(day);
    expect((await firstClient.outbox()).map((message) => message.stepId)).toEqual(['day-0-payment-failed']);
    await first.stop();

    const second = await startLocalRuntime({ port: 0, dataDir, strategies: defaultStrategyOnly });
    const secondClient = new LocalRuntimeClient(second);
    try {
      expect(second.resumedJourneys).toBe(1);
      expect((await secondClient.now()).toISOString()).toBe('2026-03-03T03:00:00.000Z');
      await secondClient.advance(10 * day);
      const sent = await secondClient.outbox();
      expect(sent.map((message) => message.stepId)).toEqual([
        'day-0-payment-failed',
        'day-3-reminder',
        'day-7-final-notice',
      ]);
      expect(new Set(sent.map((message) => message.caseId))).toEqual(new Set([failed.body.caseId]));
      expect(second.journeys.get(String(failed.body.caseId))?.status).toBe('SUCCEEDED');
    } finally {
      await second.stop();
    }
  });

  it('advances in quiet steps until something is sent, and answers with the new messages and the next wake-up', async () => {
    // Prepare: a debtor in Paris fails to pay at 04:00 there; the first email waits for the contact window.
    const runtime = await startLocalRuntime({ port: 0, clockStart, strategies: defaultStrategyOnly });
    const client = new LocalRuntimeClient(runtime);
    const advance = async (body: unknown) => {
      const response = await fetch(`${runtime.url}/local/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    try {
      await client.deliverStripeEvent('invoice.payment_failed', debtor);
      await advance({ seconds: 0 });
      const parked = (await (await fetch(`${runtime.url}/local/clock`)).json()) as Record<string, unknown>;

      // Act: steps of 15 minutes, at most two days of them.
      const stepped = await advance({
        seconds: 900,
        outboxFrom: 0,
        repeatUntil: new Date(clockStart.getTime() + 2 * day * 1000).toISOString(),
      });

      // Assert: the steps ended with the first one in which the email went out, and it is in the answer.
      const outbox = stepped.body.outbox as { stepId: string; sentAt: string }[];
      expect(outbox.map((message) => message.stepId)).toEqual(['day-0-payment-failed']);
      const sentAt = Date.parse(outbox[0]?.sentAt ?? '');
      // The first wake-up was the hourly jobs': they sent nothing, and the steps went past them.
      expect(parked.nextWakeUp).toBe(new Date(clockStart.getTime() + 3600_000).toISOString());
      expect(sentAt).toBeGreaterThan(clockStart.getTime() + 3600_000);
      const steps = Math.ceil((sentAt - clockStart.getTime()) / 900_000);
      expect(stepped.status).toBe(200);
      expect(stepped.body.steps).toBe(steps);
      expect(stepped.body.now).toBe(new Date(clockStart.getTime() + steps * 900_000).toISOString());
      // The journey waits for its next step: that is the next wake-up (hourly jobs come sooner).
      expect(Date.parse(String(stepped.body.nextWakeUp))).toBeGreaterThan(
        Date.parse(String(stepped.body.now)),
      );
      expect(stepped.body.nextWakeUp).toBe(runtime.clock.pendingWakeUps()[0]?.toISOString());

      // Nothing new after the message: the steps run to the end, and the answer lists nothing.
      const end = new Date(Date.parse(String(stepped.body.now)) + 3 * 3600_000 + 60_000).toISOString();
      const quiet = await advance({ seconds: 900, outboxFrom: 1, repeatUntil: end });
      expect(quiet.body).toMatchObject({ now: end, steps: 13, outbox: [] });

      // Repeating needs a step and an offset to tell something new from what the caller saw.
      expect((await advance({ seconds: 0, outboxFrom: 1, repeatUntil: end })).status).toBe(400);
      expect((await advance({ seconds: 900, repeatUntil: end })).status).toBe(400);
      expect((await advance({ seconds: 1, outboxFrom: 1, repeatUntil: '2031-01-01T00:00:00Z' })).status).toBe(
        400,
      );
      expect((await advance({ seconds: 60, outboxFrom: 1, repeatUntil: 'tomorrow' })).status).toBe(400);
    } finally {
      await runtime.stop();
    }
  });

  it('runs exactly the state machine definitions the CDK app synthesizes, with every Task run locally', async () => {
    const runtime = await startLocalRuntime({ port: 0 });
    try {
      const { app, stack } = buildCollectionsApp({ bundling: false });
      const template = app.synth().getStackByName(stack.stackName).template;
      const definitionOf = (machine: IConstruct) =>
        JSON.parse(
          resolveIntrinsics(
            template.Resources[stack.getLogicalId(machine.node.defaultChild as CfnElement)].Properties
              .DefinitionString,
            template,
            { tableName: runtime.database.tableName },
          ),
        ) as { States: Record<string, { Type: string }> };
      const synthesized = definitionOf(stack.journeys.stateMachine);

      expect(runtime.synthesized.journeyDefinition).toEqual(synthesized);
      const rebuild = runtime.synthesized.workflows.find(
        (workflow) => workflow.name === WorkflowName.rebuildMetricAggregates,
      );
      expect(rebuild?.definition).toEqual(definitionOf(stack.financeReports.rebuild.stateMachine));
      // Every Task, those inside the Maps too, runs the rebuild function's local handler.
      expect(rebuild?.taskEntries).toEqual(
        Object.fromEntries(
          [
            RebuildState.plan,
            RebuildState.claimSegment,
            RebuildState.recordSegment,
            RebuildState.compare,
            RebuildState.cleanup,
          ].map((state) => [state, 'functions/rebuild-metric-aggregates.ts']),
        ),
      );
      const taskStates = Object.entries(synthesized.States)
        .filter(([, state]) => state.Type === 'Task')
        .map(([name]) => name)
        .sort();
      expect(taskStates).toEqual([...locallyRunStates.tasks].sort());
    } finally {
      await runtime.stop();
    }
  });

  it('serves every route and schedule of the template', async () => {
    const runtime = await startLocalRuntime({ port: 0 });
    try {
      expect(runtime.synthesized.routes.map((route) => route.routeKey).sort()).toEqual([
        'ANY /portal/{proxy+}',
        'GET /api/metrics',
        'GET /reports/{token}',
        'GET /reports/{token}/{file}',
        'POST /webhooks/chargebee',
        'POST /webhooks/inhouse',
        'POST /webhooks/paddle',
        'POST /webhooks/stripe',
      ]);
      const target = (schedule: SynthesizedSchedule) =>
        'entry' in schedule ? schedule.entry : schedule.workflow;
      expect([...runtime.synthesized.schedules].sort((a, b) => target(a).localeCompare(target(b)))).toEqual([
        expect.objectContaining({
          entry: 'functions/reconcile-stripe-events.ts',
          expression: 'rate(1 hour)',
        }),
        expect.objectContaining({ entry: 'functions/run-portal-commitments.ts', expression: 'rate(1 hour)' }),
        expect.objectContaining({ entry: 'functions/send-finance-report.ts', input: '{"kind":"daily"}' }),
        expect.objectContaining({ entry: 'functions/send-finance-report.ts', input: '{"kind":"weekly"}' }),
        expect.objectContaining({ entry: 'functions/send-finance-report.ts', input: '{"kind":"monthly"}' }),
        expect.objectContaining({ workflow: 'rebuild-metric-aggregates', input: '{"repair":false}' }),
      ]);
      const portal = await fetch(`${runtime.url}/portal/account`);
      expect(portal.status).toBe(401);
      expect(portal.headers.get('content-type')).toContain('text/html');
      const unknownJob = await fetch(`${runtime.url}/local/jobs/no-such-job/run`, { method: 'POST' });
      expect(unknownJob.status).toBe(404);
      const badAdvance = await fetch(`${runtime.url}/local/clock/advance`, {
        method: 'POST',
        body: '{"seconds":-1}',
      });
      expect(badAdvance.status).toBe(400);
      const notJson = await fetch(`${runtime.url}/local/clock/advance`, { method: 'POST', body: 'soon' });
      expect(notJson.status).toBe(400);
      expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
    } finally {
      await runtime.stop();
    }
  });

  it('starts with npm start, prints its URLs and secret, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'infra/local/start.ts', '--memory', '--port', '0'],
      {
        env: {
          ...process.env,
          COLLECTIONS_CLOCK_START: '2026-03-02T03:00:00Z',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => output, { timeout: 30_000, interval: 100 }).toContain('Press Ctrl-C to stop.');
      expect(output).toContain('whsec_collections_local_development_only');
      const url = /POST (http:\/\/127\.0\.0\.1:\d+)\/webhooks\/stripe/.exec(output)?.[1];
      expect(url).toBeDefined();
      const clock = (await (await fetch(`${url}/local/clock`)).json()) as { now: string };
      expect(clock.now).toBe('2026-03-02T03:00:00.000Z');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('SIGINT: stopping');
  });
});
