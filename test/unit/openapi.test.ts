import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { errorEnvelopeSchema } from '../../functions/http/envelope-schema';
import { failure, notAuthenticated, sharingNotPermitted } from '../../functions/http/envelope';
import { batchResultSchema } from '../../functions/measurements/batch/batch-result-schema';
import { summarize, type EntryOutcome } from '../../functions/measurements/batch/ingest-batch';
import { toMeasurementRow } from '../../functions/measurements/rows/measurement-row';
import { toManualItem } from '../../functions/measurements/storage/measurement-item';
import { measurementRowSchema } from '../../functions/measurements-api/measurements-api-schema';
import { routeKey, routes } from '../../definitions/service-functions';
import { buildOpenApiDocument, renderOpenApiDocument } from '../../scripts/openapi-document';
import { storedItem } from '../support/stored-items';
import { newManualReading } from '../support/manual-reading';

const committedPath = path.join(__dirname, '..', '..', 'docs', 'openapi.json');

describe('docs/openapi.json', () => {
  test('is what `npm run openapi` generates from the current schemas (run it when this fails)', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8'));
    expect(committed).toEqual(JSON.parse(renderOpenApiDocument()));
  });

  test('is OpenAPI 3.1 and every route needs a bearer token (HealthLog’s or a JWT, by mode)', () => {
    const document = buildOpenApiDocument();
    expect(document.openapi).toBe('3.1.0');
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components?.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', description: expect.stringMatching(/HealthLog.*JWT/) },
    });
  });

  test('documents every defined route, and nothing else', () => {
    const document = buildOpenApiDocument();
    const documented = Object.entries(document.paths ?? {}).flatMap(([routePath, item]) =>
      ['get', 'put', 'post', 'patch', 'delete']
        .filter((method) => (item as Record<string, unknown>)[method] !== undefined)
        .map((method) => `${method.toUpperCase()} ${routePath}`),
    );
    expect(documented.sort()).toEqual(routes.map(routeKey).sort());
  });

  test('each operation documents its success, 401, 403 (shared records) and 500 answers in the envelope', () => {
    const document = buildOpenApiDocument();
    for (const item of Object.values(document.paths ?? {})) {
      for (const operation of Object.values(item as Record<string, { responses: Record<string, any> }>)) {
        const statuses = Object.keys(operation.responses);
        expect(statuses).toEqual(expect.arrayContaining(['401', '403', '500']));
        // 201 for the hand entry (it creates rows), 200 for everything else.
        expect(statuses.filter((status) => status === '200' || status === '201')).toHaveLength(1);
        for (const status of ['401', '403']) {
          expect(operation.responses[status].content['application/json'].schema).toEqual({
            $ref: '#/components/schemas/ErrorEnvelope',
          });
        }
        expect(operation.responses['403'].description).toMatch(/sharing\.not_permitted/);
      }
    }
  });
});

describe('the documented schemas describe what the handlers really answer', () => {
  test('a batch result with every kind of outcome parses as BatchResult', () => {
    const outcomes: EntryOutcome[] = [
      { index: 0, status: 'inserted', id: 'a' },
      { index: 1, status: 'updated', id: 'b' },
      { index: 2, status: 'duplicate', id: 'c' },
      { index: 3, status: 'duplicate', reason: 'superseded_in_batch', id: 'b' },
      { index: 4, status: 'failed', reason: 'deadline_exceeded' },
      {
        index: 5,
        status: 'skipped',
        reason: 'value_out_of_range',
        convertedValue: 90,
        range: { min: 1, max: 80, unit: '%' },
      },
      { index: 6, status: 'skipped', reason: 'unmappable_identifier' },
    ];
    const result = JSON.parse(JSON.stringify(summarize(outcomes)));
    expect(batchResultSchema.strict().parse(result)).toEqual(result);
  });

  test('a stored item becomes exactly a Measurement row (no storage attribute survives)', () => {
    const item = storedItem({ userId: 'user-1', externalId: 'abc', deviceType: 'watch', requestId: 'req-1' });
    const row = toMeasurementRow(item);
    expect(measurementRowSchema.parse(row)).toEqual(row);
    expect(JSON.stringify(row)).not.toMatch(/user-1|req-1|gsi|writer|clientUnit|"kind"/);
  });

  test('a hand-entered item becomes exactly a Measurement row, with nulls where it has no HealthKit origin', () => {
    const item = toManualItem(
      newManualReading(
        {
          type: 'BLOOD_GLUCOSE',
          value: 98,
          unit: 'mg/dL',
          notes: 'before breakfast',
          glucoseContext: 'FASTING',
          deviceType: 'Contour Next',
        },
        { userId: 'user-1', uuid: '0b6f6c2e-3f1a-4c55-9f0e-6a1c0d2b7e11' },
      ),
      { requestId: 'req-1', at: '2026-08-14T07:00:01.000Z' },
    );
    const row = toMeasurementRow(item);
    expect(measurementRowSchema.parse(row)).toEqual(row);
    expect(row).toMatchObject({
      externalId: null,
      hkIdentifier: null,
      startDate: null,
      notes: 'before breakfast',
    });
    expect(JSON.stringify(row)).not.toMatch(/user-1|req-1|gsi|writer|manual:|"kind"/);
  });

  test('error answers parse as ErrorEnvelope', () => {
    for (const response of [
      notAuthenticated(),
      sharingNotPermitted(),
      failure(404, 'Measurement not found'),
      failure(422, 'Validation failed', {
        details: { issues: [{ path: 'value', code: 'x', message: 'y' }] },
      }),
      failure(422, 'Batch exceeds the 500-entry limit', { errorCode: 'measurement.delete.too_large' }),
    ]) {
      const body = JSON.parse(response.body!);
      expect(errorEnvelopeSchema.strict().parse(body)).toEqual(body);
    }
  });
});
