import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { auditKeysTable } from '../../definitions/audit-keys-table';
import { deriveUserRef, newAuditKey } from './user-ref';

/** The audit-keys table (definitions/audit-keys-table.ts): the only module that talks to it. */
export class AuditKeysStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The user's key, or undefined when the user has none (never audited, or erased). */
  async getKey(userId: string): Promise<string | undefined> {
    return (await this.getKeyRecord(userId))?.key;
  }

  /** The user's key and when it was created, or undefined when the user has none. */
  async getKeyRecord(userId: string): Promise<{ key: string; createdAt: string | null } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [auditKeysTable.partitionKey]: userId },
        ConsistentRead: true,
      }),
    );
    const key = Item?.[auditKeysTable.keyAttribute];
    const createdAt = Item?.[auditKeysTable.createdAtAttribute];
    return typeof key === 'string'
      ? { key, createdAt: typeof createdAt === 'string' ? createdAt : null }
      : undefined;
  }

  /**
   * The user's key, created on first use. Two first uses racing each other agree: the put is
   * conditioned on no key existing, and the loser reads the winner's key.
   */
  async getOrCreateKey(userId: string): Promise<string> {
    const existing = await this.getKey(userId);
    if (existing !== undefined) return existing;
    const key = newAuditKey();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [auditKeysTable.partitionKey]: userId,
            [auditKeysTable.keyAttribute]: key,
            [auditKeysTable.createdAtAttribute]: this.now().toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': auditKeysTable.partitionKey },
        }),
      );
      return key;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const winner = await this.getKey(userId);
      if (winner === undefined) throw error;
      return winner;
    }
  }

  /** The user's current `userRef`, or undefined when the user has no key. */
  async currentUserRef(userId: string): Promise<string | undefined> {
    const key = await this.getKey(userId);
    return key === undefined ? undefined : deriveUserRef(userId, key);
  }

  /** Deletes the user's key (crypto-shredding); deleting a missing key is not an error. */
  async deleteKey(userId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [auditKeysTable.partitionKey]: userId } }),
    );
  }
}
