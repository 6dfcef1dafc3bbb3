import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { LocalStore } from '../../cli/local/store.ts';

/** Creates a table with the local store's layout under another name, for test isolation. */
export async function createTableLike(store: LocalStore, name: string): Promise<string> {
  const description = await store.db.send(new DescribeTableCommand({ TableName: store.tableName }));
  const table = description.Table;
  if (table === undefined) throw new Error('local table not found');
  await store.db.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: table.AttributeDefinitions,
      KeySchema: table.KeySchema,
      GlobalSecondaryIndexes: table.GlobalSecondaryIndexes?.map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      })),
    }),
  );
  return name;
}
