import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { agentQueueOrder } from '../../domain/agent-queue.ts';
import type { BillingEvent } from '../../domain/billing-event.ts';
import type { Claim } from '../../domain/claim.ts';
import type { CaseCloseReason, CollectionCase } from '../../domain/collection-case.ts';
import type { ConsentStatus, ContactConsent } from '../../domain/contact-consent.ts';
import type { ContactPause } from '../../domain/contact-pauses.ts';
import type { Customer } from '../../domain/customer.ts';
import type { DeliveryChannel } from '../../domain/delivery-channel.ts';
import { ConcurrentUpdateError } from '../../domain/errors.ts';
import type { Interaction } from '../../domain/interaction.ts';
import type { Subscription } from '../../domain/subscription.ts';
import type {
  AddressLink,
  AgentTask,
  CaseStore,
  ClaimStore,
  CursorStore,
  CustomerStore,
  EventLedger,
  IgnoredEventCounter,
  MessageRecord,
  MessageStore,
  PaymentPromise,
  SubscriptionStore,
  VersionedClaim,
  VersionedCustomer,
  VersionedSubscription,
} from '../../ports.ts';
import { putVersioned, writeIfConditionHolds } from './conditional-write.ts';
import {
  batchGetAll,
  indexPartitionQuery,
  queryAll,
  singleTableDocumentClient,
  sortKeyPrefixQuery,
} from './document-client.ts';
import { keys, tableSchema } from './table-schema.ts';

type Item = Record<string, unknown>;

const keyAttributes = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'entity',
  'version',
  'pauseKeys',
]);

function stripKeys<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !keyAttributes.has(name))) as T;
}

/** Stored with a consent so one conditional write can compare statuses on a tie (see `supersedes`). */
const consentStrictness: Record<ConsentStatus, number> = {
  'opted-in': 0,
  suppressed: 1,
  invalid: 2,
  'opted-out': 3,
};

/**
 * The product's single DynamoDB table. Only single-item conditional writes: no transactions,
 * streams or TTL (DESIGN.md decision 2), which also lets dynalite stand in for it locally.
 */
export class CollectionsTable
  implements
    EventLedger,
    CustomerStore,
    ClaimStore,
    CaseStore,
    MessageStore,
    SubscriptionStore,
    IgnoredEventCounter,
    CursorStore
{
  private readonly documents: DynamoDBDocumentClient;

  public constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = singleTableDocumentClient(client);
  }

  // Events ---------------------------------------------------------------------------------

  public async hasEvent(provider: string, eventId: string): Promise<boolean> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.event(provider, eventId),
        ProjectionExpression: 'pk',
        // A delivery retried within a second must see the first one's ledger entry.
        ConsistentRead: true,
      }),
    );
    return result.Item !== undefined;
  }

  public async recordEvent(event: BillingEvent, appliedAt: Date): Promise<void> {
    await this.putOnce({
      ...keys.event(event.provider, event.eventId),
      entity: 'event',
      provider: event.provider,
      eventId: event.eventId,
      kind: event.kind,
      occurredAt: event.occurredAt,
      ...('claim' in event ? { claimId: event.claim.claimId } : {}),
      appliedAt: appliedAt.toISOString(),
    });
  }

  // Customers ------------------------------------------------------------------------------

  public async getCustomer(customerId: string): Promise<Customer | undefined> {
    return (await this.getVersionedCustomer(customerId))?.customer;
  }

  public async getVersionedCustomer(customerId: string): Promise<VersionedCustomer | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keys.customer(customerId), ConsistentRead: true }),
    );
    if (result.Item === undefined) return undefined;
    const { profileVersion, ...customer } = stripKeys<Customer & { profileVersion?: number }>(result.Item);
    return { customer, version: Number(profileVersion ?? 0) };
  }

  public async putCustomer(customer: Customer, expectedVersion?: number): Promise<void> {
    // The open-case pointer is owned by claimOpenCase/releaseOpenCase; never overwrite it here.
    const { openCaseId: _pointer, customerId, ...profile } = customer;
    const names: Record<string, string> = { '#version': 'profileVersion' };
    const values: Record<string, unknown> = { ':entity': 'customer', ':zero': 0, ':one': 1 };
    const sets = ['entity = :entity', '#version = if_not_exists(#version, :zero) + :one'];
    for (const [index, [name, value]] of Object.entries(profile).entries()) {
      names[`#a${index}`] = name;
      values[`:v${index}`] = value;
      sets.push(`#a${index} = :v${index}`);
    }
    names['#customerId'] = 'customerId';
    values[':customerId'] = customerId;
    sets.push('#customerId = :customerId');
    if (expectedVersion !== undefined && expectedVersion > 0) values[':expected'] = expectedVersion;
    const written = await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.customer(customerId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ...(expectedVersion === undefined
            ? {}
            : {
                ConditionExpression:
                  expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected',
              }),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (!written) throw new ConcurrentUpdateError(`customer ${customerId} changed since it was read`);
  }

  public async claimOpenCase(customerId: string, caseId: string): Promise<string> {
    const claimed = await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.customer(customerId),
          UpdateExpression: 'SET openCaseId = :caseId',
          ConditionExpression: 'attribute_not_exists(openCaseId) OR openCaseId = :caseId',
          ExpressionAttributeValues: { ':caseId': caseId },
        }),
      ),
    );
    if (claimed) return caseId;
    const customer = await this.getCustomer(customerId);
    if (customer?.openCaseId === undefined) throw new ConcurrentUpdateError('open case pointer changed');
    return customer.openCaseId;
  }

  public async releaseOpenCase(customerId: string, caseId: string): Promise<void> {
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.customer(customerId),
          UpdateExpression: 'REMOVE openCaseId',
          ConditionExpression: 'openCaseId = :caseId',
          ExpressionAttributeValues: { ':caseId': caseId },
        }),
      ),
    );
  }

  // Claims ---------------------------------------------------------------------------------

  public async getClaim(claimId: string): Promise<VersionedClaim | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keys.claim(claimId), ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    return { claim: stripKeys<Claim>(result.Item), version: Number(result.Item.version ?? 0) };
  }

  public async putClaim(claim: Claim, expectedVersion: number): Promise<void> {
    const cohort = claim.firstFailedAt
      ? {
          [tableSchema.indexes.claimsByFailureMonth.partitionKey]: keys.failureMonthPartition(
            claim.firstFailedAt.slice(0, 7),
          ),
          [tableSchema.indexes.claimsByFailureMonth.sortKey]: claim.claimId,
        }
      : {};
    await putVersioned(
      this.documents,
      this.tableName,
      { ...keys.claim(claim.claimId), entity: 'claim', ...claim, ...cohort },
      expectedVersion,
      `claim ${claim.claimId}`,
    );
  }

  public async getClaims(claimIds: readonly string[]): Promise<Claim[]> {
    const items = await batchGetAll(
      this.documents,
      this.tableName,
      claimIds.map((id) => keys.claim(id)),
    );
    return items.map((item) => stripKeys<Claim>(item)).sort((a, b) => a.claimId.localeCompare(b.claimId));
  }

  public async listClaimsByFailureMonth(month: string): Promise<Claim[]> {
    const items = await this.queryAll(
      indexPartitionQuery(
        this.tableName,
        tableSchema.indexes.claimsByFailureMonth,
        keys.failureMonthPartition(month),
      ),
    );
    return items.map((item) => stripKeys<Claim>(item));
  }

  // Cases ----------------------------------------------------------------------------------

  public async getCase(caseId: string): Promise<CollectionCase | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keys.collectionCase(caseId), ConsistentRead: true }),
    );
    return result.Item ? stripKeys<CollectionCase>(result.Item) : undefined;
  }

  public async createCase(collectionCase: CollectionCase): Promise<void> {
    const index = tableSchema.indexes.openCases;
    await this.putOnce({
      ...keys.collectionCase(collectionCase.caseId),
      entity: 'case',
      ...collectionCase,
      [index.partitionKey]: keys.openCasesPartition,
      [index.sortKey]: `${collectionCase.openedAt}#${collectionCase.caseId}`,
    });
  }

  public async addClaimToCase(caseId: string, claimId: string): Promise<void> {
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(caseId),
          UpdateExpression: 'SET claimIds = list_append(claimIds, :claim)',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(claimIds, :claimId)',
          ExpressionAttributeValues: { ':claim': [claimId], ':claimId': claimId },
        }),
      ),
    );
  }

  public async closeCase(caseId: string, reason: CaseCloseReason, closedAt: Date): Promise<void> {
    await this.closeOpenCase(caseId, reason, closedAt);
  }

  public async amendCloseReason(caseId: string, reason: CaseCloseReason): Promise<void> {
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(caseId),
          UpdateExpression: 'SET closeReason = :reason',
          ConditionExpression: '#status = :closed AND closeReason <> :superseded AND closeReason <> :reason',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':superseded': 'superseded', ':reason': reason },
        }),
      ),
    );
  }

  public async markJourneyEnded(caseId: string, endedAt: Date): Promise<void> {
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(caseId),
          UpdateExpression: 'SET journeyEndedAt = :at',
          ConditionExpression: '#status = :open AND attribute_not_exists(journeyEndedAt)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':open': 'open', ':at': endedAt.toISOString() },
        }),
      ),
    );
  }

  public async resumeJourney(
    caseId: string,
    run: number,
    resumedBy: string,
    resumedAt: Date,
  ): Promise<boolean> {
    const resumed = await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(caseId),
          UpdateExpression:
            'SET journeyRun = :run, journeyResumedBy = :by, journeyResumedAt = :at REMOVE journeyEndedAt',
          ConditionExpression:
            run === 2
              ? '#status = :open AND attribute_exists(journeyEndedAt) AND attribute_not_exists(journeyRun)'
              : '#status = :open AND attribute_exists(journeyEndedAt) AND journeyRun = :previous',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ':run': run,
            ':by': resumedBy,
            ':at': resumedAt.toISOString(),
            ...(run === 2 ? {} : { ':previous': run - 1 }),
          },
        }),
      ),
    );
    if (resumed) return true;
    // A redelivery of the event that resumed it: the caller finishes starting the run.
    const current = await this.getCase(caseId);
    return current?.status === 'open' && current.journeyRun === run && current.journeyResumedBy === resumedBy;
  }

  public async supersedeCase(caseId: string, supersededBy: string, closedAt: Date): Promise<void> {
    await this.closeOpenCase(caseId, 'superseded', closedAt, supersededBy);
  }

  /** Closes the case and takes it out of the open-cases index, if it is still open; a closed case stays as it is. */
  private async closeOpenCase(
    caseId: string,
    reason: CaseCloseReason,
    closedAt: Date,
    supersededBy?: string,
  ): Promise<void> {
    const index = tableSchema.indexes.openCases;
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(caseId),
          UpdateExpression: `SET #status = :closed, closeReason = :reason, closedAt = :at${supersededBy === undefined ? '' : ', supersededBy = :by'} REMOVE #gpk, #gsk`,
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#gpk': index.partitionKey,
            '#gsk': index.sortKey,
          },
          ExpressionAttributeValues: {
            ':closed': 'closed',
            ':open': 'open',
            ':reason': reason,
            ':at': closedAt.toISOString(),
            ...(supersededBy === undefined ? {} : { ':by': supersededBy }),
          },
        }),
      ),
    );
  }

  public async listOpenCaseIds(): Promise<string[]> {
    return (await this.listOpenCases()).map((collectionCase) => collectionCase.caseId);
  }

  /** Every open case, whole: the open-cases index projects the whole item, so no case is read again. */
  public async listOpenCases(): Promise<CollectionCase[]> {
    const items = await this.queryAll(
      indexPartitionQuery(this.tableName, tableSchema.indexes.openCases, keys.openCasesPartition),
    );
    return items.map((item) => stripKeys<CollectionCase>(item));
  }

  public async addCasePause(caseId: string, pause: ContactPause): Promise<void> {
    // One pause per step (or per reason and start): a retried step adds nothing the second time.
    const pauseKey = pause.stepId ?? `${pause.reason}#${pause.from}`;
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(caseId),
          UpdateExpression:
            'SET pauses = list_append(if_not_exists(pauses, :none), :pause), pauseKeys = list_append(if_not_exists(pauseKeys, :none), :key)',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(pauseKeys) OR NOT contains(pauseKeys, :pauseKey))',
          ExpressionAttributeValues: {
            ':none': [],
            ':pause': [pause],
            ':key': [pauseKey],
            ':pauseKey': pauseKey,
          },
        }),
      ),
    );
  }

  // Messages -------------------------------------------------------------------------------

  public async listMessages(caseId: string): Promise<MessageRecord[]> {
    const items = await this.queryAll(
      sortKeyPrefixQuery(this.tableName, keys.collectionCase(caseId).pk, 'MESSAGE#'),
    );
    return items.map((item) => stripKeys<MessageRecord>(item));
  }

  public async beginMessage(record: MessageRecord): Promise<boolean> {
    return writeIfConditionHolds(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.message(record.caseId, record.stepId), entity: 'message', ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      ),
    );
  }

  public async getMessage(caseId: string, stepId: string): Promise<MessageRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keys.message(caseId, stepId), ConsistentRead: true }),
    );
    return result.Item ? stripKeys<MessageRecord>(result.Item) : undefined;
  }

  public async completeMessage(record: MessageRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.message(record.caseId, record.stepId), entity: 'message', ...record },
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending' },
      }),
    );
  }

  // Interactions, consent, addresses, reply actions (docs/channels.md) ----------------------

  public async recordInteraction(interaction: Interaction): Promise<boolean> {
    return this.putOnce({
      ...keys.interaction(interaction, interaction.occurredAt, interaction.interactionId),
      entity: 'interaction',
      ...interaction,
    });
  }

  public async listInteractions(caseId: string): Promise<Interaction[]> {
    const items = await this.queryAll(
      sortKeyPrefixQuery(this.tableName, keys.collectionCase(caseId).pk, 'INTERACTION#'),
    );
    return items.map((item) => stripKeys<Interaction>(item));
  }

  public async getConsent(customerId: string, channel: DeliveryChannel): Promise<ContactConsent | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.consent(customerId, channel),
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const { strictness: _strictness, ...consent } = stripKeys<ContactConsent & { strictness?: number }>(
      result.Item,
    );
    return consent;
  }

  /** Later decision wins; on a tie the stricter status (see `supersedes`), in one conditional write. */
  public async putConsent(consent: ContactConsent): Promise<boolean> {
    return writeIfConditionHolds(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.consent(consent.customerId, consent.channel),
            entity: 'consent',
            ...consent,
            strictness: consentStrictness[consent.status],
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR decidedAt < :at OR (decidedAt = :at AND strictness < :strictness)',
          ExpressionAttributeValues: {
            ':at': consent.decidedAt,
            ':strictness': consentStrictness[consent.status],
          },
        }),
      ),
    );
  }

  public async findAddress(channel: DeliveryChannel, address: string): Promise<AddressLink | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.address(channel, address),
        ConsistentRead: true,
      }),
    );
    return result.Item ? stripKeys<AddressLink>(result.Item) : undefined;
  }

  public async linkOutbound(link: {
    channel: DeliveryChannel;
    address: string;
    customerId: string;
    caseId?: string;
    at: string;
  }): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.address(link.channel, link.address),
        UpdateExpression: `SET entity = :entity, channel = :channel, address = :address, customerId = :customer, lastOutboundAt = :at${link.caseId ? ', caseId = :case' : ''}`,
        ExpressionAttributeValues: {
          ':entity': 'address',
          ':channel': link.channel,
          ':address': link.address,
          ':customer': link.customerId,
          ':at': link.at,
          ...(link.caseId ? { ':case': link.caseId } : {}),
        },
      }),
    );
  }

  public async linkInbound(link: {
    channel: DeliveryChannel;
    address: string;
    customerId: string;
    at: string;
  }): Promise<void> {
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.address(link.channel, link.address),
          UpdateExpression:
            'SET entity = :entity, channel = :channel, address = :address, customerId = :customer, lastInboundAt = :at',
          // Replies arrive out of order: an older one never moves the window back.
          ConditionExpression: 'attribute_not_exists(lastInboundAt) OR lastInboundAt < :at',
          ExpressionAttributeValues: {
            ':entity': 'address',
            ':channel': link.channel,
            ':address': link.address,
            ':customer': link.customerId,
            ':at': link.at,
          },
        }),
      ),
    );
  }

  public async recordPromise(promise: PaymentPromise): Promise<void> {
    await this.putOnce({
      ...keys.promise(promise.caseId, promise.madeAt, promise.sourceEventId),
      entity: 'promise',
      ...promise,
    });
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(promise.caseId),
          UpdateExpression: 'SET promisedUntil = :until, promisedDate = :date, promiseMadeAt = :madeAt',
          // The latest promise is the one that counts, whatever order the replies arrive in.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(promiseMadeAt) OR promiseMadeAt <= :madeAt)',
          ExpressionAttributeValues: {
            ':until': promise.promisedUntil,
            ':date': promise.promisedDate,
            ':madeAt': promise.madeAt,
          },
        }),
      ),
    );
  }

  public async createAgentTask(task: AgentTask): Promise<boolean> {
    const index = tableSchema.indexes.openCases;
    return this.putOnce({
      ...keys.agentTask(task.customerId, task.taskId),
      entity: 'agent-task',
      ...task,
      [index.partitionKey]: keys.openTasksPartition,
      [index.sortKey]: `${task.createdAt}#${task.taskId}`,
    });
  }

  public async listAgentTasks(customerId: string): Promise<AgentTask[]> {
    const items = await this.queryAll(
      sortKeyPrefixQuery(this.tableName, keys.customer(customerId).pk, 'TASK#'),
    );
    return items.map((item) => stripKeys<AgentTask>(item));
  }

  /** Every open agent task, most urgent first, then oldest first (the agents' queue). */
  public async listOpenAgentTasks(): Promise<AgentTask[]> {
    const items = await this.queryAll(
      indexPartitionQuery(this.tableName, tableSchema.indexes.openCases, keys.openTasksPartition),
    );
    return agentQueueOrder(items.map((item) => stripKeys<AgentTask>(item)));
  }

  public async claimAutoReply(
    channel: DeliveryChannel,
    inboundMessageId: string,
    at: string,
  ): Promise<boolean> {
    return this.putOnce({
      ...keys.autoReply(channel, inboundMessageId),
      entity: 'auto-reply',
      channel,
      inboundMessageId,
      claimedAt: at,
    });
  }

  /** Creates the item unless its key exists; false when it did. */
  private async putOnce(item: Item): Promise<boolean> {
    return writeIfConditionHolds(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  // Subscriptions ---------------------------------------------------------------------------

  public async getSubscription(subscriptionId: string): Promise<VersionedSubscription | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.subscription(subscriptionId),
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    return { subscription: stripKeys<Subscription>(result.Item), version: Number(result.Item.version ?? 0) };
  }

  public async putSubscription(subscription: Subscription, expectedVersion: number): Promise<void> {
    await putVersioned(
      this.documents,
      this.tableName,
      { ...keys.subscription(subscription.subscriptionId), entity: 'subscription', ...subscription },
      expectedVersion,
      `subscription ${subscription.subscriptionId}`,
    );
  }

  // Ignored events and cursors --------------------------------------------------------------

  public async countIgnoredEvent(provider: string, sourceType: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.ignoredEvents(provider, sourceType),
        UpdateExpression: 'SET entity = :entity, provider = :provider, sourceType = :type ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':entity': 'ignored-events',
          ':provider': provider,
          ':type': sourceType,
          ':one': 1,
        },
      }),
    );
  }

  public async listIgnoredEventCounts(): Promise<{ provider: string; sourceType: string; count: number }[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.ignoredEvents('', '').pk },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      provider: String(item.provider),
      sourceType: String(item.sourceType),
      count: Number(item.count ?? 0),
    }));
  }

  public async getCursor(name: string): Promise<string | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keys.cursor(name), ConsistentRead: true }),
    );
    return typeof result.Item?.value === 'string' ? result.Item.value : undefined;
  }

  public async putCursor(name: string, value: string): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.cursor(name), entity: 'cursor', name, value },
      }),
    );
  }

  private queryAll(input: QueryCommandInput): Promise<Item[]> {
    return queryAll(this.documents, input);
  }
}

/**
 * The table in every store role billing ingest writes through (ledger, customers, claims, cases,
 * subscriptions, ignored-event counts): one object serves them all, so wiring spreads this.
 */
export function ingestStoresOn(table: CollectionsTable) {
  return {
    ledger: table,
    customers: table,
    claims: table,
    cases: table,
    subscriptions: table,
    ignoredEvents: table,
  } as const;
}

/**
 * The table in every store role an inbound reply is handled through (contact directory, customers,
 * cases, consents, interactions, reply actions, auto-reply ledger): wiring spreads this.
 */
export function inboundReplyStoresOn(table: CollectionsTable) {
  return {
    directory: table,
    customers: table,
    cases: table,
    consents: table,
    interactions: table,
    actions: table,
    autoReplies: table,
  } as const;
}
