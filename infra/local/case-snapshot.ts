import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Claim } from '../../shared/domain/claim.ts';
import type { CollectionCase } from '../../shared/domain/collection-case.ts';
import type { MessageRecord } from '../../shared/ports.ts';
import type { EmbeddedDynamoDb } from './embedded-dynamodb.ts';

/** One case as `GET /local/cases` shows it: the case, its claims and its step records. */
export interface LocalCaseView {
  readonly caseId: string;
  readonly customerId: string;
  readonly status: CollectionCase['status'];
  readonly openedAt: string;
  readonly closedAt?: string;
  readonly closeReason?: CollectionCase['closeReason'];
  /** When the journey ran out of steps with claims still open. */
  readonly journeyEndedAt?: string;
  /** The case that took over this one's open claims (closed as `superseded`). */
  readonly supersededBy?: string;
  readonly strategyId: string;
  readonly strategyVersion: number;
  /** The debtor's latest promise to pay made in the portal, and how many were broken. */
  readonly promiseToPay?: CollectionCase['promiseToPay'];
  readonly brokenPromises?: number;
  /** The payment plan agreed in the portal, with its instalments. */
  readonly paymentPlan?: CollectionCase['paymentPlan'];
  readonly claims: readonly Pick<
    Claim,
    | 'claimId'
    | 'invoiceId'
    | 'status'
    | 'amountMinor'
    | 'currency'
    | 'attemptCount'
    | 'firstFailedAt'
    | 'paidAt'
    | 'writtenOffAt'
    | 'voidedAt'
  >[];
  readonly messages: readonly Pick<MessageRecord, 'stepId' | 'channel' | 'template' | 'status' | 'sentAt'>[];
}

type Item = Record<string, unknown>;

function pick<T extends object, K extends keyof T>(value: T, names: readonly K[]): Pick<T, K> {
  const picked: Partial<T> = {};
  for (const name of names) if (value[name] !== undefined) picked[name] = value[name];
  return picked as Pick<T, K>;
}

/**
 * Every case of the embedded table with its claims and step records, read with one paginated
 * Scan (an operator view for local tools such as the simulator's invariant checks; never on AWS).
 * Ordered by opening time, then id, so two identical runs list them identically.
 */
export async function listLocalCases(database: EmbeddedDynamoDb): Promise<LocalCaseView[]> {
  const cases: CollectionCase[] = [];
  const claims = new Map<string, Claim>();
  const messages = new Map<string, MessageRecord[]>();
  const documents = DynamoDBDocumentClient.from(database.client);
  let startKey: Item | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: database.tableName,
        FilterExpression: 'entity IN (:case, :claim, :message)',
        ExpressionAttributeValues: {
          ':case': 'case',
          ':claim': 'claim',
          ':message': 'message',
        },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.entity === 'case') cases.push(item as unknown as CollectionCase);
      else if (item.entity === 'claim') claims.set(String(item.claimId), item as unknown as Claim);
      else {
        const record = item as unknown as MessageRecord;
        messages.set(record.caseId, [...(messages.get(record.caseId) ?? []), record]);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  return cases
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.caseId.localeCompare(b.caseId))
    .map((collectionCase) => ({
      ...pick(collectionCase, [
        'caseId',
        'customerId',
        'status',
        'openedAt',
        'closedAt',
        'closeReason',
        'journeyEndedAt',
        'journeyRun',
        'supersededBy',
        'strategyId',
        'strategyVersion',
        'promiseToPay',
        'brokenPromises',
        'paymentPlan',
      ]),
      claims: collectionCase.claimIds.flatMap((claimId) => {
        const claim = claims.get(claimId);
        return claim
          ? [
              pick(claim, [
                'claimId',
                'invoiceId',
                'status',
                'amountMinor',
                'currency',
                'attemptCount',
                'firstFailedAt',
                'paidAt',
                'writtenOffAt',
                'voidedAt',
              ]),
            ]
          : [];
      }),
      messages: (messages.get(collectionCase.caseId) ?? [])
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.stepId.localeCompare(b.stepId))
        .map((record) => pick(record, ['stepId', 'channel', 'template', 'status', 'sentAt'])),
    }));
}
