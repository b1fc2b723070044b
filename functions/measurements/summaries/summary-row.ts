/**
 * The stored measurement row as the read API's summaries see it. Structural on purpose: the
 * summaries never depend on how rows are read or keyed, so any row object with these fields fits.
 */
export interface SummaryRow {
  readonly id: string;
  readonly type: string;
  readonly value: number;
  readonly unit: string;
  readonly source: string;
  /** `Date.prototype.toISOString()` form, UTC. */
  readonly measuredAt: string;
  readonly deviceType: string | null;
  readonly sleepStage: string | null;
  readonly valueMin: number | null;
  readonly valueMax: number | null;
}
