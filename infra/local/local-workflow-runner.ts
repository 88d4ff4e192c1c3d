import './promise-with-resolvers.ts';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { JSONValue, LocalTask } from './local-journey-engine.ts';
import type { SynthesizedWorkflow } from './synthesized-app.ts';

/** How a local execution ended, with what it did (each state entered is a billed transition on AWS). */
export type LocalWorkflowOutcome = {
  readonly name: string;
  readonly statesEntered: Readonly<Record<string, number>>;
  /** Retries by state name: each one is an attempt that failed with a retryable error. */
  readonly retries: Readonly<Record<string, number>>;
} & (
  | { readonly status: 'SUCCEEDED'; readonly output: JSONValue }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string }
);

/**
 * Runs a synthesized state machine of the template to its end on aws-local-stepfunctions: the
 * definition `cdk deploy` ships, with each Task state (Map iterations included) run by the local
 * handler of the function the template's task invokes (`collections:entry` metadata). For
 * workflows that run start to end, like the rebuild of the aggregates: Wait states would sleep on
 * real time, so a workflow with one is refused (the journey has its own engine on the virtual
 * clock). Retries happen at once; Step Functions spaces them with jittered backoff.
 */
export class LocalWorkflowRunner {
  private readonly machine: StateMachine;
  private readonly handlers: Record<string, LocalTask>;

  public constructor(
    public readonly workflow: SynthesizedWorkflow,
    handlerOf: (entry: string) => LocalTask | undefined,
  ) {
    const states = JSON.stringify(workflow.definition);
    if (states.includes('"Type":"Wait"')) {
      throw new Error(
        `the ${workflow.name} workflow has a Wait state: the local runner only runs straight through`,
      );
    }
    this.handlers = Object.fromEntries(
      Object.entries(workflow.taskEntries).map(([state, entry]) => {
        const handler = handlerOf(entry);
        if (handler === undefined) throw new Error(`no local handler for ${entry} (state ${state})`);
        return [state, handler];
      }),
    );
    // A copy: the engine annotates the definition it is given (QueryLanguage on every state).
    this.machine = new StateMachine(structuredClone(workflow.definition), {
      validationOptions: { checkPaths: true, checkArn: true },
    });
  }

  /** Starts an execution and waits for its end; `name` is `$$.Execution.Name`, unique by default. */
  public async run(input: JSONValue, name = `local-${randomUUID()}`): Promise<LocalWorkflowOutcome> {
    const execution = this.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: this.handlers,
        retryIntervalOverrides: Object.fromEntries(Object.keys(this.handlers).map((state) => [state, 0])),
      },
      context: { Execution: { Id: `local:${this.workflow.name}:${name}`, Name: name } },
    });
    // Handled before the events are read, so a failure is never an unhandled rejection meanwhile.
    const ended = execution.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output: output as JSONValue }),
      (error: unknown) => {
        // The engine wraps what failed the execution (a Fail state's error, a task's) in an ExecutionError.
        const wrapped = error as { name?: unknown; cause?: unknown };
        const failure = (wrapped.name === 'ExecutionError' && wrapped.cause ? wrapped.cause : error) as {
          name?: unknown;
          message?: unknown;
        };
        return {
          status: 'FAILED' as const,
          error: typeof failure.name === 'string' ? failure.name : 'Error',
          cause: typeof failure.message === 'string' ? failure.message : String(error),
        };
      },
    );
    const statesEntered: Record<string, number> = {};
    const retries: Record<string, number> = {};
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        statesEntered[event.state.name] = (statesEntered[event.state.name] ?? 0) + 1;
      } else if (event.type === 'StateRetried') {
        retries[event.state.name] = (retries[event.state.name] ?? 0) + 1;
      }
    }
    return { name, statesEntered, retries, ...(await ended) };
  }
}
