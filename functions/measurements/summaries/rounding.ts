/**
 * Rounding of computed numbers. Sums of decimal values carry binary noise (0.1 + 0.2 =
 * 0.30000000000000004); the API answers decimals a person would write, and two summation orders
 * of the same values (raw rows vs stored daily aggregates) must round to the same answer.
 */

/** Significant digits kept when binary noise is removed: well above any measurement's precision. */
const NOISE_FREE_DIGITS = 12;

/** `value` without binary noise (12 significant digits). */
export function withoutBinaryNoise(value: number): number {
  return value === 0 || !Number.isFinite(value) ? value : Number(value.toPrecision(NOISE_FREE_DIGITS));
}

/**
 * `value` rounded to `decimals` places, halves away from zero, decided on the noise-free value:
 * 1.005 (stored as 1.00499999999999989…) rounds to 1.01, as written.
 */
export function roundToDecimals(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  const scaled = Math.abs(value) * scale;
  // Noise can only flip the result of a value within noise of a half; the rest rounds as is
  // (toPrecision is the slow part, and this runs once per bucket of a 10-year hourly series).
  const nearHalf = Math.abs(scaled - Math.floor(scaled) - 0.5) <= 1e-9 * Math.max(1, scaled);
  const rounded = (Math.sign(value) * Math.round(nearHalf ? withoutBinaryNoise(scaled) : scaled)) / scale;
  // Math.sign(-0.001) × 0 is -0, which JSON prints as 0 but toEqual does not accept as 0.
  return rounded === 0 ? 0 : rounded;
}
