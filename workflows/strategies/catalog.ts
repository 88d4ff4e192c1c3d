import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StrategyTable } from '../../shared/adapters/dynamodb/strategy-table.ts';
import { LayeredStrategyCatalog } from '../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import type { StrategyCatalog } from '../../shared/ports.ts';
import { shippedCatalog } from './index.ts';

/**
 * The strategies a deployed function reads: those published to the table (`npm run strategy --
 * publish`) over those shipped with the code. New cases take the current version of what the
 * routing chooses; a running journey keeps its version.
 */
export function strategyCatalogOn(client: DynamoDBClient, tableName: string): StrategyCatalog {
  return new LayeredStrategyCatalog(new StrategyTable(client, tableName), shippedCatalog);
}
