import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { journeyExecutionName } from '../../domain/collection-case.ts';
import type { JourneyStarter } from '../../ports.ts';

/**
 * Starts a run of the case's journey, named after the case (and the run, from the second on:
 * `journeyExecutionName`). Starting a running execution again with the same name and input
 * returns it (Step Functions deduplicates names for 90 days); a name whose execution already
 * finished answers ExecutionAlreadyExists, which means the same here.
 */
export class StepFunctionsJourneyStarter implements JourneyStarter {
  public constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  public async startJourney(caseId: string, run = 1): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: journeyExecutionName(caseId, run),
          input: JSON.stringify({ caseId }),
        }),
      );
    } catch (error) {
      if (
        error instanceof ExecutionAlreadyExists ||
        (error as Error | undefined)?.name === 'ExecutionAlreadyExists'
      ) {
        return;
      }
      throw error;
    }
  }
}
