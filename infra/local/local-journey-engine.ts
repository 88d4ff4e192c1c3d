import './promise-with-resolvers.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { journeyExecutionName } from '../../shared/domain/collection-case.ts';
import type { JourneyStarter } from '../../shared/ports.ts';
import { JourneyState } from '../../workflows/collection-journey.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** Any JSON value a state passes on. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** A Task state's work, as the local runtime runs it (the same handlers Lambda runs). */
export type LocalTask = (input: JSONValue) => Promise<JSONValue>;

export interface JourneyTasks {
  readonly planNextAction: LocalTask;
  /** Acts on the planned step and returns the next plan. */
  readonly sendJourneyMessage: LocalTask;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface LocalExecution {
  readonly name: string;
  /** The case whose journey this is (a resumed journey's execution name carries its run too). */
  readonly caseId: string;
  readonly status: ExecutionStatus;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  /** States entered so far (each one a billed state transition on AWS). */
  readonly stateTransitions: number;
  /** The same, by state name: Task states entered are the Lambda invocations and SDK calls the journey made. */
  readonly statesEntered: Readonly<Record<string, number>>;
  readonly error?: string;
}

interface MutableExecution {
  name: string;
  caseId: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  stateTransitions: number;
  statesEntered: Record<string, number>;
  error?: string;
}

/** The Task states the local engine runs itself, so none falls through to a real AWS call. */
export const locallyRunStates = {
  tasks: [JourneyState.plan, JourneyState.send],
} as const;

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
 * The definition started at `startAt`, keeping only the states reachable from there: resuming
 * after a Wait starts mid-graph, and the engine's validator refuses states nothing leads to (the
 * first planning state, for one).
 */
export function reachableFrom(definition: StateMachineDefinition, startAt: string): StateMachineDefinition {
  const states = definition.States as Record<string, unknown>;
  const reachable = new Set<string>();
  const pending = [startAt];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (reachable.has(name) || !(name in states)) continue;
    reachable.add(name);
    const state = states[name] as {
      Next?: string;
      Default?: string;
      Choices?: readonly { Next?: string }[];
      Catch?: readonly { Next?: string }[];
    };
    for (const next of [
      state.Next,
      state.Default,
      ...(state.Choices ?? []).map((choice) => choice.Next),
      ...(state.Catch ?? []).map((handler) => handler.Next),
    ]) {
      if (next !== undefined) pending.push(next);
    }
  }
  return {
    ...definition,
    StartAt: startAt,
    States: Object.fromEntries(Object.entries(definition.States).filter(([name]) => reachable.has(name))),
  } as StateMachineDefinition;
}

/** Long enough never to elapse: a parked Wait ends by abort, when virtual time reaches it. */
const parkedWaitMs = 2_000_000_000;

interface ParkedWait {
  /** The state to resume at: the Wait's Next. */
  readonly resumeAt: string;
  /** The Wait's input, which is also its output (it passes data through). */
  readonly input: JSONValue;
  readonly until: Date;
}

/** Reads `$.a.b` style reference paths, the only form the journey's Wait uses. */
function readPath(value: JSONValue, path: string): JSONValue | undefined {
  if (!/^\$(\.[A-Za-z0-9_]+)+$/.test(path)) throw new Error(`unsupported TimestampPath ${path}`);
  let current: JSONValue | undefined = value;
  for (const key of path.slice(2).split('.')) {
    current = current && typeof current === 'object' && !Array.isArray(current) ? current[key] : undefined;
  }
  return current;
}

/**
 * Runs the synthesized journey definition with aws-local-stepfunctions on the virtual clock.
 * The engine's Waits and Task timeouts run on real time, so a Wait is parked instead: when an
 * execution enters a Wait state, its input is captured and the run is aborted; when virtual
 * time reaches the Wait's timestamp, the execution resumes at the Wait's Next state with that
 * input, as Step Functions does after a wait. Executions are deduplicated by name, as Step
 * Functions does.
 */
export class LocalJourneyEngine implements JourneyStarter {
  private readonly definition: StateMachineDefinition;
  private readonly waits = new Map<string, { timestampPath: string; next: string }>();
  private readonly machines = new Map<string, StateMachine>();
  private readonly executions = new Map<string, MutableExecution>();

  public constructor(
    definition: StateMachineDefinition,
    private readonly tasks: JourneyTasks,
    private readonly clock: VirtualClock,
    private readonly onFailure: (name: string, error: unknown) => void = () => undefined,
  ) {
    this.definition = withoutExecutionTimeout(definition);
    for (const [name, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Wait') continue;
      const wait = state as {
        TimestampPath?: string;
        Next?: string;
        InputPath?: string;
        OutputPath?: string;
      };
      if (!wait.TimestampPath || !wait.Next || wait.InputPath || wait.OutputPath) {
        throw new Error(
          `the local engine parks Wait states with a TimestampPath, a Next and no paths; ${name} is not one`,
        );
      }
      this.waits.set(name, { timestampPath: wait.TimestampPath, next: wait.Next });
    }
  }

  public async startJourney(caseId: string, run = 1): Promise<void> {
    const name = journeyExecutionName(caseId, run);
    if (this.executions.has(name)) return;
    const execution: MutableExecution = {
      name,
      caseId,
      status: 'RUNNING',
      startedAt: this.clock.now().toISOString(),
      stateTransitions: 0,
      statesEntered: {},
    };
    this.executions.set(name, execution);
    // Not awaited: like StartExecution, starting returns before the journey runs.
    void this.clock.track(() => this.run(execution));
  }

  public list(): LocalExecution[] {
    return [...this.executions.values()].map((execution) => ({
      ...execution,
      statesEntered: { ...execution.statesEntered },
    }));
  }

  public get(name: string): LocalExecution | undefined {
    const execution = this.executions.get(name);
    return execution ? { ...execution, statesEntered: { ...execution.statesEntered } } : undefined;
  }

  private async run(execution: MutableExecution): Promise<void> {
    let startAt = this.definition.StartAt;
    let input: JSONValue = { caseId: execution.caseId };
    try {
      for (;;) {
        const parked = await this.runSegment(execution, startAt, input);
        if (parked === undefined) break;
        await this.clock.until(parked.until);
        startAt = parked.resumeAt;
        input = parked.input;
      }
      execution.status = 'SUCCEEDED';
    } catch (error) {
      execution.status = 'FAILED';
      execution.error = error instanceof Error ? error.message : String(error);
      this.onFailure(execution.name, error);
    } finally {
      execution.stoppedAt = this.clock.now().toISOString();
    }
  }

  /** Runs from `startAt` until the execution ends (undefined) or enters a Wait (parked). */
  private async runSegment(
    execution: MutableExecution,
    startAt: string,
    input: JSONValue,
  ): Promise<ParkedWait | undefined> {
    const run = this.machineStartingAt(startAt).run(input, {
      overrides: {
        taskResourceLocalHandlers: {
          [JourneyState.plan]: (taskInput) => this.tasks.planNextAction(taskInput),
          [JourneyState.send]: (taskInput) => this.tasks.sendJourneyMessage(taskInput),
        },
        waitTimeOverrides: Object.fromEntries([...this.waits.keys()].map((state) => [state, parkedWaitMs])),
        // Retries happen at once locally; Step Functions spaces them with jittered backoff.
        retryIntervalOverrides: Object.fromEntries(locallyRunStates.tasks.map((state) => [state, 0])),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: `local:${execution.name}`,
          Name: execution.name,
          Input: input,
          StartTime: execution.startedAt,
        },
      },
    });
    let parked: ParkedWait | undefined;
    for await (const event of run.eventLogs) {
      if (event.type !== 'StateEntered') continue;
      execution.stateTransitions += 1;
      execution.statesEntered[event.state.name] = (execution.statesEntered[event.state.name] ?? 0) + 1;
      const wait = this.waits.get(event.state.name);
      if (wait === undefined) continue;
      const at = readPath(event.state.input, wait.timestampPath);
      if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
        throw new Error(`${event.state.name}: ${wait.timestampPath} is not a timestamp`);
      }
      parked = { resumeAt: wait.next, input: event.state.input, until: new Date(at) };
      run.abort();
      break;
    }
    await run.result;
    return parked;
  }

  private machineStartingAt(startAt: string): StateMachine {
    let machine = this.machines.get(startAt);
    if (machine === undefined) {
      machine = new StateMachine(reachableFrom(this.definition, startAt), {
        validationOptions: { checkPaths: true, checkArn: true },
      });
      this.machines.set(startAt, machine);
    }
    return machine;
  }
}
