import type { StoredMeasurement } from '../model/measurement';

/**
 * The stored measurement row as the read API's summaries see it: the attributes they read.
 * Structural on purpose: the summaries never depend on how rows are read or keyed, so any row
 * object with these fields fits (`measuredAt` in `Date.prototype.toISOString()` form, UTC).
 */
export type SummaryRow = Pick<
  StoredMeasurement,
  | 'id'
  | 'type'
  | 'value'
  | 'unit'
  | 'source'
  | 'measuredAt'
  | 'deviceType'
  | 'sleepStage'
  | 'valueMin'
  | 'valueMax'
>;
