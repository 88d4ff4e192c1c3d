import './promise-with-resolvers.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { JourneyStarter } from '../../shared/ports.ts';
import { JourneyState } from '../../workflows/collection-journey.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** Any JSON value a state passes on. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** A Task state's work, as the local runtime runs it (the same handlers Lambda runs). */
export type LocalTask = (input: JSONValue) => Promise<JSONValue>;

export interface JourneyTasks {
  readonly planNextAction: LocalTask;
  /** The DynamoDB GetItem SDK integration, against the embedded table. */
  readonly readCase: LocalTask;
  readonly sendJourneyMessage: LocalTask;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface LocalExecution {
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  /** States entered so far (each one a billed state transition on AWS). */
  readonly stateTransitions: number;
  readonly error?: string;
}

interface MutableExecution {
  name: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  stateTransitions: number;
  error?: string;
}

/**
 * The engine enforces `TimeoutSeconds` with a real-time timer, which means nothing on the
 * virtual clock (and overflows Node's 24.8-day timer limit, firing at once). Step Functions
 * enforces it on AWS; locally it is the only field of the definition not run as written.
 */
export function withoutExecutionTimeout(definition: StateMachineDefinition): StateMachineDefinition {
  const { TimeoutSeconds: _enforcedOnAwsOnly, ...runnable } = definition;
  return runnable;
}

/**
 * Runs the synthesized journey definition with aws-local-stepfunctions on the virtual clock.
 * The Wait state is overridden to 0 ms; the task after it (`ReadCase`) first waits on the
 * virtual clock for the timestamp the planner returned (the one the Wait reads), so the
 * definition stays unchanged and runs on virtual time. Executions are deduplicated by name,
 * as Step Functions does.
 */
export class LocalJourneyEngine implements JourneyStarter {
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, MutableExecution>();

  public constructor(
    definition: StateMachineDefinition,
    private readonly tasks: JourneyTasks,
    private readonly clock: VirtualClock,
    private readonly onFailure: (name: string, error: unknown) => void = () => undefined,
  ) {
    this.machine = new StateMachine(withoutExecutionTimeout(definition), {
      validationOptions: { checkPaths: true, checkArn: true },
    });
  }

  public async startJourney(caseId: string): Promise<void> {
    if (this.executions.has(caseId)) return;
    const execution: MutableExecution = {
      name: caseId,
      status: 'RUNNING',
      startedAt: this.clock.now().toISOString(),
      stateTransitions: 0,
    };
    this.executions.set(caseId, execution);
    // Not awaited: like StartExecution, starting returns before the journey runs.
    void this.clock.track(() => this.run(execution));
  }

  public list(): LocalExecution[] {
    return [...this.executions.values()].map((execution) => ({ ...execution }));
  }

  public get(name: string): LocalExecution | undefined {
    const execution = this.executions.get(name);
    return execution ? { ...execution } : undefined;
  }

  private async run(execution: MutableExecution): Promise<void> {
    let plannedAt: string | undefined;
    const input = { caseId: execution.name };
    const run = this.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: {
          [JourneyState.plan]: async (taskInput) => {
            const plan = await this.tasks.planNextAction(taskInput);
            const at = (plan as { at?: unknown } | null)?.at;
            plannedAt = typeof at === 'string' ? at : undefined;
            return plan;
          },
          [JourneyState.readCase]: async (taskInput) => {
            if (plannedAt !== undefined) await this.clock.until(new Date(plannedAt));
            return this.tasks.readCase(taskInput);
          },
          [JourneyState.send]: (taskInput) => this.tasks.sendJourneyMessage(taskInput),
        },
        waitTimeOverrides: { [JourneyState.wait]: 0 },
        // Retries happen at once locally; Step Functions spaces them with jittered backoff.
        retryIntervalOverrides: {
          [JourneyState.plan]: 0,
          [JourneyState.readCase]: 0,
          [JourneyState.send]: 0,
        },
      },
      context: {
        Execution: {
          Id: `local:${execution.name}`,
          Name: execution.name,
          Input: input,
          StartTime: execution.startedAt,
        },
      },
    });
    const counting = this.countTransitions(run.eventLogs, execution);
    try {
      await run.result;
      execution.status = 'SUCCEEDED';
    } catch (error) {
      execution.status = 'FAILED';
      execution.error = error instanceof Error ? error.message : String(error);
      this.onFailure(execution.name, error);
    } finally {
      execution.stoppedAt = this.clock.now().toISOString();
      await counting;
    }
  }

  private async countTransitions(
    events: AsyncGenerator<{ type: string }>,
    execution: MutableExecution,
  ): Promise<void> {
    for await (const event of events) {
      if (event.type === 'StateEntered') execution.stateTransitions += 1;
    }
  }
}
