import {
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StepFunctionsJourneyStarter } from '../../../../shared/adapters/journeys/step-functions-journey-starter.ts';
import { awsServiceError } from '../../../support/fake-ports.ts';

const client = new SFNClient({
  region: 'eu-west-1',
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
});
const sfn = mockClient(client);

afterEach(() => {
  sfn.reset();
});

const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:CollectionJourney';
const caseId = 'case_4f1d2c3b4a5968778695a4b3';

describe('StepFunctionsJourneyStarter', () => {
  it('starts one execution named after the case with the case id as input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({
      executionArn: `arn:aws:states:eu-west-1:123456789012:execution:CollectionJourney:${caseId}`,
      startDate: new Date('2026-11-02T10:14:10.000Z'),
    });
    const starter = new StepFunctionsJourneyStarter(client, stateMachineArn);

    // Act
    await starter.startJourney(caseId);

    // Assess
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      stateMachineArn,
      name: caseId,
      input: JSON.stringify({ caseId }),
    });
  });

  it('names a resumed run of the journey after the case and the run, with the same input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({
      executionArn: `arn:aws:states:eu-west-1:123456789012:execution:CollectionJourney:${caseId}-run2`,
      startDate: new Date('2026-11-20T09:00:01.000Z'),
    });
    const starter = new StepFunctionsJourneyStarter(client, stateMachineArn);

    // Act
    await starter.startJourney(caseId, 2);

    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn,
      name: `${caseId}-run2`,
      input: JSON.stringify({ caseId }),
    });
  });

  it('treats ExecutionAlreadyExists as the journey already started', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(
        new ExecutionAlreadyExists({ message: `Execution Already Exists: '${caseId}'`, $metadata: {} }),
      );
    const starter = new StepFunctionsJourneyStarter(client, stateMachineArn);

    // Act
    const starting = starter.startJourney(caseId);

    // Assess
    await expect(starting).resolves.toBeUndefined();
  });

  it('recognises ExecutionAlreadyExists by name when it comes from another copy of the SDK', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(awsServiceError('ExecutionAlreadyExists', 'Execution Already Exists'));
    const starter = new StepFunctionsJourneyStarter(client, stateMachineArn);

    // Act
    const starting = starter.startJourney(caseId);

    // Assess
    await expect(starting).resolves.toBeUndefined();
  });

  it.each([
    [
      'ExecutionLimitExceeded',
      new ExecutionLimitExceeded({ message: 'Execution limit exceeded', $metadata: {} }),
    ],
    [
      'StateMachineDoesNotExist',
      new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }),
    ],
    [
      'AccessDeniedException',
      awsServiceError('AccessDeniedException', 'User is not authorized to perform: states:StartExecution'),
    ],
  ])('rethrows %s so the webhook is redelivered', async (_name, error) => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(error);
    const starter = new StepFunctionsJourneyStarter(client, stateMachineArn);

    // Act
    const starting = starter.startJourney(caseId);

    // Assess
    await expect(starting).rejects.toBe(error);
  });
});
