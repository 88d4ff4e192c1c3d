import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { JourneyStarter } from '../../ports.ts';

/**
 * Starts the case's execution, named after the case. Starting a running execution again with
 * the same name and input returns it (Step Functions deduplicates names for 90 days); a name
 * whose execution already finished answers ExecutionAlreadyExists, which means the same here.
 */
export class StepFunctionsJourneyStarter implements JourneyStarter {
  public constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  public async startJourney(caseId: string): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: caseId,
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
