import { isIsoDateTime, parseIsoDateTime } from '../../functions/measurements/model/iso-date-time';

describe('batch-api §1: startDate/endDate are ISO-8601 date-times with Z or a ±HH:MM offset (seconds and fractions optional)', () => {
  it.each([
    // [text, the instant it denotes]
    ['2026-08-14T06:00:00Z', '2026-08-14T06:00:00.000Z'],
    ['2026-08-14T08:00:00+02:00', '2026-08-14T06:00:00.000Z'],
    ['2026-08-14T00:30:00-05:30', '2026-08-14T06:00:00.000Z'],
    ['2026-08-14T06:00Z', '2026-08-14T06:00:00.000Z'],
    ['2026-08-14T08:00+02:00', '2026-08-14T06:00:00.000Z'],
    ['2026-08-14T06:00:00.5Z', '2026-08-14T06:00:00.500Z'],
    ['2026-08-14T06:00:00.123Z', '2026-08-14T06:00:00.123Z'],
    ['2026-08-14T06:00:00.123456Z', '2026-08-14T06:00:00.123Z'],
    ['2026-08-14T06:00:00.123456789-05:30', '2026-08-14T11:30:00.123Z'],
    ['2026-03-01T01:00:00+02:00', '2026-02-28T23:00:00.000Z'],
    ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['1900-01-01T00:00:00Z', '1900-01-01T00:00:00.000Z'],
    ['2026-08-14T23:59:59Z', '2026-08-14T23:59:59.000Z'],
    ['2026-08-14T00:00:00+00:00', '2026-08-14T00:00:00.000Z'],
    ['2026-08-14T12:00:00+23:59', '2026-08-13T12:01:00.000Z'],
    ['2026-08-14T12:00:00-23:59', '2026-08-15T11:59:00.000Z'],
  ])('%s is accepted and denotes %s', (text, instant) => {
    expect(isIsoDateTime(text)).toBe(true);
    expect(parseIsoDateTime(text)?.toISOString()).toBe(instant);
  });

  it.each([
    ['lower-case z', '2026-08-14T06:00:00z'],
    ['no zone', '2026-08-14T06:00:00'],
    ['no zone, no seconds', '2026-08-14T06:00'],
    ['offset without colon (+0200)', '2026-08-14T08:00:00+0200'],
    ['hours-only offset (+02)', '2026-08-14T08:00:00+02'],
    ['impossible calendar date 2026-02-30', '2026-02-30T00:00:00Z'],
    ['29 February of a common year (2025-02-29)', '2025-02-29T00:00:00Z'],
    ['29 February of a century common year (1900-02-29)', '1900-02-29T00:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['month 00', '2026-00-10T00:00:00Z'],
    ['day 00', '2026-08-00T00:00:00Z'],
    ['T24:00', '2026-08-14T24:00:00Z'],
    ['T24:00 without seconds', '2026-08-14T24:00Z'],
    ['minute 60', '2026-08-14T06:60:00Z'],
    ['second 60', '2026-08-14T06:00:60Z'],
    ['offset hour 24', '2026-08-14T06:00:00+24:00'],
    ['offset minute 60', '2026-08-14T06:00:00+02:60'],
    ['date only', '2026-08-14'],
    ['space instead of T', '2026-08-14 06:00:00Z'],
    ['single-digit month', '2026-8-14T06:00:00Z'],
    ['single-digit hour', '2026-08-14T6:00:00Z'],
    ['a dot without fraction digits', '2026-08-14T06:00:00.Z'],
    ['leading whitespace', ' 2026-08-14T06:00:00Z'],
    ['trailing newline', '2026-08-14T06:00:00Z\n'],
    ['a word', 'yesterday'],
    ['the empty string', ''],
    ['epoch milliseconds', '1786687200000'],
  ])('%s (%j) is rejected', (_why, text) => {
    expect(isIsoDateTime(text)).toBe(false);
    expect(parseIsoDateTime(text)).toBeUndefined();
  });
});
