import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RoleStore } from '@identities/core';
import { ROLE_PARTITION, roleKey, TABLE_KEYS } from './table.ts';

export interface Role {
  readonly name: string;
  readonly permissions: readonly string[];
}

/** Roles: read by the API, written and listed by the operator CLI. */
export function makeRoleStore(client: DynamoDBDocumentClient, table: string) {
  return {
    async permissionsOf(role: string) {
      const { Item } = await client.send(new GetCommand({ TableName: table, Key: roleKey(role) }));
      return Item === undefined ? undefined : permissionList(Item.permissions);
    },
    async put(role: Role): Promise<void> {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: { ...roleKey(role.name), type: 'role', permissions: [...role.permissions] },
        }),
      );
    },
    async list(): Promise<Role[]> {
      const roles: Role[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partition },
            ExpressionAttributeValues: { ':pk': ROLE_PARTITION },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          roles.push({ name: String(item[TABLE_KEYS.sort]), permissions: permissionList(item.permissions) });
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return roles;
    },
  } satisfies RoleStore & Record<string, unknown>;
}

function permissionList(value: unknown): string[] {
  const items = value instanceof Set ? [...value] : Array.isArray(value) ? value : [];
  return items.filter((item): item is string => typeof item === 'string');
}
