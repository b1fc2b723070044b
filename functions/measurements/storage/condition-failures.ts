import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * What a write whose condition failed found (ReturnValuesOnConditionCheckFailure: ALL_OLD):
 * `{ item }`, the item as stored (none when there was none), or `undefined` when the error is
 * not a failed condition, which the caller then rethrows. The document client leaves `Item`
 * marshalled on this exception.
 */
export function conditionFailure(error: unknown): { readonly item?: Record<string, unknown> } | undefined {
  if (!(error instanceof ConditionalCheckFailedException)) return undefined;
  return error.Item ? { item: unmarshall(error.Item as Record<string, AttributeValue>) } : {};
}
