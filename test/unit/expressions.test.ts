import {
  and,
  attributeExists,
  attributeNotExists,
  between,
  equals,
  expressionInput,
  notEquals,
  projection,
  update,
} from '../../functions/measurements/storage/expressions';

describe('expressions composed from parts', () => {
  it('joins the parts that are there with AND and collects their placeholders once', () => {
    const input = expressionInput({
      ConditionExpression: and(
        attributeExists('pk'),
        undefined,
        attributeNotExists('deletedAt'),
        equals('updatedAt', '2026-05-24T06:00:00.000Z', 'expectedUpdatedAt'),
      ),
      UpdateExpression: update({ updatedAt: '2026-05-24T07:00:00.000Z', value: 3 }, ['notes']),
    });
    expect(input).toStrictEqual({
      ConditionExpression:
        'attribute_exists(#pk) AND attribute_not_exists(#deletedAt) AND #updatedAt = :expectedUpdatedAt',
      UpdateExpression: 'SET #updatedAt = :updatedAt, #value = :value REMOVE #notes',
      ExpressionAttributeNames: {
        '#pk': 'pk',
        '#deletedAt': 'deletedAt',
        '#updatedAt': 'updatedAt',
        '#value': 'value',
        '#notes': 'notes',
      },
      ExpressionAttributeValues: {
        ':expectedUpdatedAt': '2026-05-24T06:00:00.000Z',
        ':updatedAt': '2026-05-24T07:00:00.000Z',
        ':value': 3,
      },
    });
  });

  it('sends no value map when no part binds a value (DynamoDB refuses an empty one)', () => {
    expect(expressionInput({ ConditionExpression: attributeNotExists('pk') })).toStrictEqual({
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    expect(expressionInput({ ProjectionExpression: projection(['pk', 'kind']) })).toStrictEqual({
      ProjectionExpression: '#pk, #kind',
      ExpressionAttributeNames: { '#pk': 'pk', '#kind': 'kind' },
    });
  });

  it('leaves out an expression whose part is absent', () => {
    expect(
      expressionInput({
        KeyConditionExpression: and(equals('gsiUser', 'alice', 'partition'), between('measuredAt', 'a', 'b')),
        FilterExpression: undefined,
      }),
    ).toStrictEqual({
      KeyConditionExpression: '#gsiUser = :partition AND #measuredAt BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#gsiUser': 'gsiUser', '#measuredAt': 'measuredAt' },
      ExpressionAttributeValues: { ':partition': 'alice', ':from': 'a', ':to': 'b' },
    });
  });

  it('refuses two values under one placeholder, and a name no placeholder can spell', () => {
    expect(() => and(equals('kind', 'manual'), notEquals('kind', 'stats'))).toThrow(/:kind/);
    expect(() =>
      expressionInput({
        UpdateExpression: update({ requestId: 'req-2' }),
        ConditionExpression: equals('requestId', 'req-1'),
      }),
    ).toThrow(/:requestId/);
    expect(() => attributeExists('a b')).toThrow(/a b/);
  });
});
