/**
 * Sleep stage segments → nights (docs/read-api.md, "type=SLEEP_DURATION", and the
 * series' `nights` points). The phone stores one row per stage segment: `measuredAt` is the
 * segment's end and `value` its minutes, so it started `value` minutes earlier.
 */
import { epochMsOf, isoOf, localDateOf } from './local-time';
import { roundToDecimals, withoutBinaryNoise } from './rounding';
import { compareSources } from './source-ladder';
import type { SummaryRow } from './summary-row';

export const SLEEP_STAGES = ['IN_BED', 'AWAKE', 'ASLEEP', 'REM', 'CORE', 'DEEP'] as const;
export type SleepStage = (typeof SLEEP_STAGES)[number];
export type SleepStageTotals = Readonly<Record<SleepStage, number>>;

/**
 * How a stage counts towards asleep minutes (rule 3). Plain ASLEEP is what writers without stage
 * detection record; where a writer records stages, an ASLEEP span would cover the same minutes
 * again, so it counts only when the session has no detailed stage.
 */
const asleepRule: Readonly<Record<SleepStage, 'detailed' | 'unless-detailed' | 'never'>> = {
  IN_BED: 'never',
  AWAKE: 'never',
  ASLEEP: 'unless-detailed',
  REM: 'detailed',
  CORE: 'detailed',
  DEEP: 'detailed',
};

/** Rule 1: a segment starting more than this after the latest end so far begins a new session. */
export const SESSION_GAP_MS = 3 * 60 * 60 * 1000;
const MINUTE_MS = 60_000;

export type SleepSegmentRow = Pick<
  SummaryRow,
  'value' | 'measuredAt' | 'source' | 'deviceType' | 'sleepStage'
>;

interface Segment {
  readonly stage: SleepStage;
  readonly minutes: number;
  readonly start: number;
  readonly end: number;
  readonly source: string;
  readonly deviceType: string | null;
}

/** One session as recorded by its chosen writer (rule 2). */
export interface SleepSession {
  readonly source: string;
  readonly deviceType: string | null;
  /** How many segments the chosen writer recorded (the row's `sampleCount`). */
  readonly segmentCount: number;
  /** The latest segment end: the wake instant. */
  readonly wakeAt: number;
  /** Rule 4: the user's local date of `wakeAt`. */
  readonly wakeDay: string;
  readonly asleepMinutes: number;
  readonly stageMinutes: SleepStageTotals;
  /** AWAKE segments strictly inside the span from the first asleep segment's start to the last one's end. */
  readonly awakenings: number;
}

const isSleepStage = (stage: string | null): stage is SleepStage => Object.hasOwn(asleepRule, stage ?? '');

/** Segments with a stage this service does not know are not sleep data and are left out. */
function segmentsOf(rows: readonly SleepSegmentRow[]): Segment[] {
  return rows
    .flatMap((row): Segment[] => {
      if (!isSleepStage(row.sleepStage)) return [];
      const end = epochMsOf(row.measuredAt);
      const start = end - row.value * MINUTE_MS;
      return [
        {
          stage: row.sleepStage,
          minutes: row.value,
          start,
          end,
          source: row.source,
          deviceType: row.deviceType,
        },
      ];
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Rule 1, over every writer's segments together. */
function splitIntoSessions(sorted: readonly Segment[]): Segment[][] {
  const sessions: Segment[][] = [];
  let latestEnd = -Infinity;
  for (const segment of sorted) {
    if (sessions.length === 0 || segment.start - latestEnd > SESSION_GAP_MS) sessions.push([]);
    sessions.at(-1)!.push(segment);
    latestEnd = Math.max(latestEnd, segment.end);
  }
  return sessions;
}

function hasDetailedStage(segments: readonly Segment[]): boolean {
  return segments.some((segment) => asleepRule[segment.stage] === 'detailed');
}

/** Rule 3: which of these segments (all of one session and writer) are asleep. */
function asleepSegmentsOf(segments: readonly Segment[]): Segment[] {
  const counted = hasDetailedStage(segments) ? 'detailed' : 'unless-detailed';
  return segments.filter((segment) => asleepRule[segment.stage] === counted);
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const minutesOf = (segments: readonly Segment[]) => sum(segments.map((segment) => segment.minutes));

interface WriterRecord {
  readonly source: string;
  readonly deviceType: string | null;
  readonly segments: readonly Segment[];
  readonly detailedStages: number;
  readonly asleepMinutes: number;
}

const compareText = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);

/**
 * Rule 2, in order; the first preference that differs decides. The last two are this service's
 * deterministic tie-break, where the contract is silent: the source ladder, then deviceType in
 * code-unit order (a writer without one first). Negative means `a` is preferred.
 */
const writerPreferences: readonly ((a: WriterRecord, b: WriterRecord) => number)[] = [
  (a, b) => b.detailedStages - a.detailedStages,
  (a, b) => Number(b.source === 'APPLE_HEALTH') - Number(a.source === 'APPLE_HEALTH'),
  (a, b) => b.asleepMinutes - a.asleepMinutes,
  (a, b) => compareSources(a.source, b.source),
  (a, b) => compareText(a.deviceType ?? '', b.deviceType ?? ''),
];

function preferWriter(a: WriterRecord, b: WriterRecord): number {
  for (const preference of writerPreferences) {
    const verdict = preference(a, b);
    if (verdict !== 0) return verdict;
  }
  return 0;
}

function chooseWriter(session: readonly Segment[]): WriterRecord {
  const byWriter = new Map<string, Segment[]>();
  for (const segment of session) {
    // A deviceType is 1–32 characters, so '' cannot collide with a real one.
    const key = JSON.stringify([segment.source, segment.deviceType ?? '']);
    const segments = byWriter.get(key);
    if (segments) segments.push(segment);
    else byWriter.set(key, [segment]);
  }
  const writers = [...byWriter.values()].map((segments): WriterRecord => ({
    source: segments[0]!.source,
    deviceType: segments[0]!.deviceType,
    segments,
    detailedStages: new Set(segments.filter((s) => asleepRule[s.stage] === 'detailed').map((s) => s.stage))
      .size,
    // Noise-free, so two writers with the same minutes tie instead of differing in the 15th digit.
    asleepMinutes: withoutBinaryNoise(minutesOf(asleepSegmentsOf(segments))),
  }));
  return writers.sort(preferWriter)[0]!;
}

function stageTotals(segments: readonly Segment[]): Record<SleepStage, number> {
  const totals = Object.fromEntries(SLEEP_STAGES.map((stage) => [stage, 0])) as Record<SleepStage, number>;
  for (const segment of segments) totals[segment.stage] += segment.minutes;
  return totals;
}

function countAwakenings(segments: readonly Segment[]): number {
  const asleep = asleepSegmentsOf(segments);
  if (asleep.length === 0) return 0;
  const firstAsleepStart = Math.min(...asleep.map((s) => s.start));
  const lastAsleepEnd = Math.max(...asleep.map((s) => s.end));
  return segments.filter((s) => s.stage === 'AWAKE' && s.start > firstAsleepStart && s.end < lastAsleepEnd)
    .length;
}

function toSession(writer: WriterRecord, zone: string): SleepSession {
  const wakeAt = Math.max(...writer.segments.map((s) => s.end));
  const stageMinutes = stageTotals(writer.segments);
  return {
    source: writer.source,
    deviceType: writer.deviceType,
    segmentCount: writer.segments.length,
    wakeAt,
    wakeDay: localDateOf(wakeAt, zone),
    asleepMinutes: writer.asleepMinutes,
    stageMinutes: Object.fromEntries(
      SLEEP_STAGES.map((stage) => [stage, withoutBinaryNoise(stageMinutes[stage])]),
    ) as SleepStageTotals,
    awakenings: countAwakenings(writer.segments),
  };
}

/** Rules 1–4: the sessions of these segments, each as its chosen writer recorded it, oldest first. */
export function sleepSessions(rows: readonly SleepSegmentRow[], zone: string): SleepSession[] {
  return splitIntoSessions(segmentsOf(rows)).map((session) => toSession(chooseWriter(session), zone));
}

function sessionsByWakeDay(rows: readonly SleepSegmentRow[], zone: string): Map<string, SleepSession[]> {
  const byDay = new Map<string, SleepSession[]>();
  for (const session of sleepSessions(rows, zone)) {
    const sessions = byDay.get(session.wakeDay);
    if (sessions) sessions.push(session);
    else byDay.set(session.wakeDay, [session]);
  }
  return byDay;
}

export interface SleepNightRow {
  readonly id: string;
  readonly type: 'SLEEP_DURATION';
  readonly value: number;
  readonly unit: 'minutes';
  readonly source: string;
  readonly measuredAt: string;
  readonly notes: null;
  readonly dayKey: string;
  readonly sampleCount: number;
  readonly sleepStages: SleepStageTotals;
  readonly inBedMinutes: number;
  readonly awakeMinutes: number;
  readonly napCount: number;
  readonly napAsleepMinutes: number;
  readonly awakenings: number;
  /**
   * Only on a night answered from part of its segments: when one request's read budget ended
   * inside the newest wake day that was left (sleepNightsPage); absent otherwise.
   */
  readonly partial?: true;
}

/**
 * Rule 4's main session: the most asleep minutes; on a tie the one that ended first, which is the
 * night rather than an afternoon nap. A session without asleep minutes (only IN_BED, say) is
 * neither main session nor nap.
 */
function mainAndNaps(sessions: readonly SleepSession[]): { main: SleepSession; naps: SleepSession[] } | null {
  const asleep = sessions
    .filter((session) => session.asleepMinutes > 0)
    .sort((a, b) => b.asleepMinutes - a.asleepMinutes || a.wakeAt - b.wakeAt);
  const [main, ...naps] = asleep;
  return main ? { main, naps } : null;
}

/** Rule 5: the row of a wake day, or `null` when the day has no main session. */
function nightRow(dayKey: string, sessions: readonly SleepSession[]): SleepNightRow | null {
  const night = mainAndNaps(sessions);
  if (!night) return null;
  const { main, naps } = night;
  return {
    id: `sleep:${dayKey}`,
    type: 'SLEEP_DURATION',
    value: roundToDecimals(main.asleepMinutes, 0),
    unit: 'minutes',
    source: main.source,
    measuredAt: isoOf(main.wakeAt),
    notes: null,
    dayKey,
    sampleCount: main.segmentCount,
    sleepStages: main.stageMinutes,
    inBedMinutes: main.stageMinutes.IN_BED,
    awakeMinutes: main.stageMinutes.AWAKE,
    napCount: naps.length,
    // Whole minutes, like `value`, so main and naps add up the way the app shows them.
    napAsleepMinutes: roundToDecimals(sum(naps.map((nap) => nap.asleepMinutes)), 0),
    awakenings: main.awakenings,
  };
}

/** The list answer (rule 5): one row per wake day that has a main session, newest first. */
export function sleepNights(rows: readonly SleepSegmentRow[], zone: string): SleepNightRow[] {
  return [...sessionsByWakeDay(rows, zone)]
    .sort(([a], [b]) => compareText(b, a))
    .flatMap(([dayKey, sessions]) => nightRow(dayKey, sessions) ?? []);
}

export interface SleepNightsPageInput {
  /** The segments read, in any order. */
  readonly rows: readonly SleepSegmentRow[];
  readonly zone: string;
  /** Nights wanted. */
  readonly limit: number;
  /**
   * Set when older segments of the range were not read: the `measuredAt` (epoch ms) of the oldest
   * segment read. Every segment not read ends at or before it.
   */
  readonly unreadEndAtOrBefore?: number;
}

export interface SleepNightsPage {
  /** Newest first, at most `limit`. */
  readonly nights: SleepNightRow[];
  /** The next page holds the segments that end before this instant (epoch ms); absent when none are left. */
  readonly continueBefore?: number;
}

/** A session of every writer's segments: its span and earliest segment end, and its chosen writer's record. */
interface SessionSpan {
  readonly start: number;
  readonly earliestEnd: number;
  readonly latestEnd: number;
  readonly session: SleepSession;
}

/**
 * One page of the sleep list from the newest segments of the range, when older ones may be left
 * unread. A wake day is answered only when no unread segment could change it: an unread segment
 * ends at or before the oldest one read (`unreadEndAtOrBefore`), so it can only join a session
 * that starts within 3 hours after that (rule 1), and only start a session of that instant's own
 * local day or an earlier one. Every newer wake day is exactly what reading every segment would
 * answer. The page answers the newest `limit` nights of those days, and the next page holds the
 * segments that end before the earliest segment of the sessions answered — sessions lie more
 * than 3 hours apart, so no segment of an older session ends that late.
 *
 * Should no wake day be complete (one session longer than a whole read budget: no real night),
 * the newest one is answered from what was read, marked `partial`, so every page moves on.
 */
export function sleepNightsPage(input: SleepNightsPageInput): SleepNightsPage {
  const { zone, limit, unreadEndAtOrBefore: cutoff } = input;
  const spans: SessionSpan[] = splitIntoSessions(segmentsOf(input.rows)).map((segments) => ({
    start: segments[0]!.start,
    earliestEnd: segments.reduce((earliest, segment) => Math.min(earliest, segment.end), Infinity),
    latestEnd: segments.reduce((latest, segment) => Math.max(latest, segment.end), -Infinity),
    session: toSession(chooseWriter(segments), zone),
  }));
  const byDay = new Map<string, SessionSpan[]>();
  for (const span of spans) {
    const day = byDay.get(span.session.wakeDay);
    if (day) day.push(span);
    else byDay.set(span.session.wakeDay, [span]);
  }
  const newestDayFirst = [...byDay.keys()].sort((a, b) => compareText(b, a));
  const continuingBefore = (days: readonly string[]) =>
    Math.min(...days.flatMap((day) => byDay.get(day)!.map((span) => span.earliestEnd)));

  // The newest wake day unread segments can still reach; days after it are complete. A session
  // they could join may get another writer, whose wake instant is at most the session's latest end.
  let lastOpenDay: string | undefined;
  if (cutoff !== undefined) {
    lastOpenDay = localDateOf(cutoff, zone);
    for (const span of spans) {
      const reachable = span.start - cutoff <= SESSION_GAP_MS;
      const day = localDateOf(span.latestEnd, zone);
      if (reachable && compareText(day, lastOpenDay) > 0) lastOpenDay = day;
    }
  }
  const completeDays = newestDayFirst.filter(
    (day) => lastOpenDay === undefined || compareText(day, lastOpenDay) > 0,
  );

  const nights: SleepNightRow[] = [];
  const answeredDays: string[] = [];
  for (const day of completeDays) {
    if (nights.length === limit) break;
    answeredDays.push(day);
    const row = nightRow(
      day,
      byDay.get(day)!.map((span) => span.session),
    );
    if (row) nights.push(row);
  }

  if (nights.length === 0 && cutoff !== undefined && completeDays.length === 0) {
    // Nothing complete within the budget: the newest day, as far as it was read.
    const [newestDay] = newestDayFirst;
    if (newestDay === undefined) return { nights: [], continueBefore: cutoff };
    const row = nightRow(
      newestDay,
      byDay.get(newestDay)!.map((span) => span.session),
    );
    return {
      nights: row ? [{ ...row, partial: true }] : [],
      continueBefore: continuingBefore([newestDay]),
    };
  }
  const olderLeft = cutoff !== undefined || answeredDays.length < newestDayFirst.length;
  if (answeredDays.length === 0 || !olderLeft) return { nights };
  return { nights, continueBefore: continuingBefore(answeredDays) };
}

export interface NightPoint {
  readonly id: string;
  readonly at: string;
  /** Asleep hours, 2 decimals. */
  readonly value: number;
  readonly secondary: null;
  /** Hours per stage, 2 decimals, every stage present. */
  readonly sleepStages: SleepStageTotals;
}

const hours = (minutes: number) => roundToDecimals(minutes / 60, 2);

/**
 * The series' `nights` points: every session of a wake day counts, naps included; a day without
 * asleep minutes gives no point. Oldest first.
 */
export function sleepSeriesPoints(rows: readonly SleepSegmentRow[], zone: string): NightPoint[] {
  return [...sessionsByWakeDay(rows, zone)]
    .sort(([a], [b]) => compareText(a, b))
    .flatMap(([dayKey, sessions]): NightPoint[] => {
      const asleepMinutes = sum(sessions.map((session) => session.asleepMinutes));
      if (asleepMinutes <= 0) return [];
      return [
        {
          id: `sleep:${dayKey}`,
          at: isoOf(Math.max(...sessions.map((session) => session.wakeAt))),
          value: hours(asleepMinutes),
          secondary: null,
          sleepStages: Object.fromEntries(
            SLEEP_STAGES.map((stage) => [
              stage,
              hours(sum(sessions.map((session) => session.stageMinutes[stage]))),
            ]),
          ) as SleepStageTotals,
        },
      ];
    });
}
