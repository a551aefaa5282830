import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError, type Env, optionalEnv, regionOf, requireEnv } from './env.ts';
import type { AccessKey, StorageSettings } from './settings.ts';
import {
  STORAGE_CLIENT_LIMITS,
  type StorageClientLimits,
  storageClientConfig,
  translateErrorsOf,
} from './storage-errors.ts';

export interface DynamoSettings {
  readonly table: string;
  readonly region: string;
  /** A DynamoDB-compatible endpoint (the embedded stand-in, an on-prem store); AWS when absent. */
  readonly endpoint: string | undefined;
}

export function dynamoSettings(env: Env): DynamoSettings {
  return {
    table: requireEnv(env, 'TABLE_NAME'),
    region: regionOf(env),
    endpoint: optionalEnv(env, 'DYNAMODB_ENDPOINT'),
  };
}

/** One client per container, with bounded retries. */
export function makeDynamoClient(
  settings: Pick<DynamoSettings, 'region' | 'endpoint'> & { readonly credentials?: AccessKey },
  limits: StorageClientLimits = STORAGE_CLIENT_LIMITS,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...storageClientConfig(settings, limits),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  });
  // Every call's failures become the API's storage errors here, once: no store method can miss it.
  translateErrorsOf(client, 'The metadata table');
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The metadata table for a function that touches items: one client per container. */
export function tableFromEnv(env: Env): { readonly client: DynamoDBDocumentClient; readonly name: string } {
  const settings = dynamoSettings(env);
  return { client: makeDynamoClient(settings), name: settings.table };
}

export type { DynamoDBDocumentClient };

/** The metadata table of the settings: one client per container. */
export function tableOf(storage: StorageSettings): { readonly client: DynamoDBDocumentClient; readonly name: string } {
  if (storage.table === undefined) throw new ConfigError('TABLE_NAME is not set');
  return {
    client: makeDynamoClient({
      region: storage.region,
      endpoint: storage.dynamoEndpoint,
      credentials: storage.credentials,
    }),
    name: storage.table,
  };
}
