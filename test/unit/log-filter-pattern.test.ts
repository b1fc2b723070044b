import { logMetricFilters } from '../../definitions/log-metric-filters';
import {
  UnsupportedLogFilterPatternError,
  matchesLogFilterPattern,
  metricValueOf,
} from '../support/log-filter-pattern';

const summary = {
  level: 'INFO',
  message: 'measurement.batch.ingest',
  userId: 'u1',
  processed: 3,
  inserted: 1,
  failed: 2,
  skippedByReason: { value_out_of_range: 1 },
};

describe('the CloudWatch JSON filter pattern subset the metric filters use', () => {
  it.each<[string, boolean]>([
    ['{ $.message = "measurement.batch.ingest" }', true],
    ['{ $.message = "measurement.batch.rejected" }', false],
    ['{ $.message != "measurement.batch.rejected" }', true],
    ['{ ($.message = "measurement.batch.ingest") && ($.failed > 0) }', true],
    ['{ ($.message = "measurement.batch.ingest") && ($.failed > 2) }', false],
    ['{ $.failed >= 2 && $.failed <= 2 && $.failed = 2 && $.failed != 3 && $.failed < 3 }', true],
    ['{ $.failed = 3 || $.message = "measurement.batch.ingest" }', true],
    ['{ ($.failed = 3 || $.inserted = 1) && $.processed = 3 }', true],
    ['{ $.skippedByReason.value_out_of_range = 1 }', true],
    ['{ $.direction = "decrease" }', false],
    ['{ $.failed = "2" }', false],
    ['{ $.message > 0 }', false],
  ])('%s → %s', (pattern, expected) => {
    expect(matchesLogFilterPattern(pattern, summary)).toBe(expected);
  });

  it.each([
    ['a wildcard', '{ $.message = "measurement.*" }'],
    ['an unquoted string', '{ $.level = INFO }'],
    ['an array index', '{ $.entries[0].status = "failed" }'],
    ['a string compared with >', '{ $.message > "a" }'],
    ['IS NULL', '{ $.syncTrigger IS NULL }'],
    ['a plain term pattern', 'ERROR'],
    ['unbalanced parentheses', '{ ($.failed = 1 }'],
    ['&& and || mixed without parentheses', '{ $.failed = 3 || $.inserted = 1 && $.processed = 4 }'],
  ])('%s is refused, not answered differently from CloudWatch', (_name, pattern) => {
    expect(() => matchesLogFilterPattern(pattern, summary)).toThrow(UnsupportedLogFilterPatternError);
  });

  it('a metric value is the constant, or the number at the selector, and nothing when the pattern does not match', () => {
    expect(metricValueOf(logMetricFilters.EntriesFailed, summary)).toBe(2);
    expect(metricValueOf(logMetricFilters.EntriesInserted, summary)).toBe(1);
    expect(metricValueOf(logMetricFilters.BatchesRejected, summary)).toBeUndefined();
    expect(metricValueOf(logMetricFilters.BatchesRejected, { message: 'measurement.batch.rejected' })).toBe(
      1,
    );
    expect(metricValueOf(logMetricFilters.EntriesDuplicate, summary)).toBeUndefined();
  });

  it('every metric filter of the stack parses in the subset', () => {
    for (const filter of Object.values(logMetricFilters)) {
      expect(() => matchesLogFilterPattern(filter.filterPattern, {})).not.toThrow();
    }
  });
});
