import {
  measurementRowFields,
  storedMeasurementSchema,
  userVisibleFields,
} from '../../functions/measurements/model/measurement';
import { toMeasurementRow } from '../../functions/measurements/rows/measurement-row';
import { ROW_KEYS } from '../support/documented-row';
import { storedItem } from '../support/stored-items';
import { manualItem } from './audit-fixtures';

/**
 * The row the API returns is derived from the model's field table (model/measurement.ts); these
 * check the derived row against the contract's (docs/row-api.md, "The row").
 */
describe('the row the API returns', () => {
  it('is the documented fields in the documented order', () => {
    expect(measurementRowFields).toEqual(ROW_KEYS);
  });

  it('has every field of a batch item, null where the item has none, and nothing of the storage', () => {
    const item = storedItem({ userId: 'alice', type: 'PULSE', externalId: 'hk-1', value: 64 });
    const row = toMeasurementRow(item);
    expect(Object.keys(row)).toEqual(ROW_KEYS);
    expect(row).toMatchObject({ externalId: 'hk-1', value: 64, notes: null, glucoseContext: null });
  });

  it('has a hand-entered item without HealthKit origin as nulls', () => {
    const row = toMeasurementRow(storedMeasurementSchema.parse(manualItem()));
    expect(Object.keys(row)).toEqual(ROW_KEYS);
    expect(row).toMatchObject({ externalId: null, hkIdentifier: null, startDate: null, valueMin: null });
  });

  it('shows the user every field but the stamps every write sets', () => {
    expect(userVisibleFields).toEqual(
      ROW_KEYS.filter((name) => name !== 'createdAt' && name !== 'updatedAt'),
    );
  });
});
