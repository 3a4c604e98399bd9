import { Info, type Zone } from 'luxon';
import type { StartBucketRow } from '../../repositories/sync-stats.repository';
import type { PeakUsage } from './report-schema';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Width of the buckets SQL counts starts in (see STATUS_COUNTS). */
export const START_BUCKET_MS = 15 * MINUTE;
/** 1970-01-01 was a Thursday: ISO weekday 4. */
const EPOCH_ISO_WEEKDAY = 4;

/**
 * The weekday and two-hour window, in local time of `zone`, with the most sync starts.
 * Windows are aligned to even hours (0-2, 2-4, … 22-24), as people read a schedule; a
 * tie goes to the earliest window of the ISO week (Monday first). SQL counts starts per
 * 15-minute UTC bucket (at most 2,880 in 30 days); each bucket is placed here with the
 * zone's offset at that instant, so daylight-saving changes inside the window are right.
 */
export function peakUsage(buckets: readonly StartBucketRow[], zone: Zone): PeakUsage | null {
  if (buckets.length === 0) return null;
  // One count per two-hour window of the week, Monday 0-2 first.
  const starts = new Array<number>(7 * 12).fill(0);
  const offsets: OffsetCache = { days: new Map(), hours: new Map() };
  for (const { bucket, starts: n } of buckets) {
    const at = bucket * START_BUCKET_MS;
    const local = at + offsetAt(zone, at, offsets) * MINUTE;
    const day = Math.floor(local / DAY);
    const isoWeekday = ((((day + EPOCH_ISO_WEEKDAY - 1) % 7) + 7) % 7) + 1;
    const hour = Math.floor((local - day * DAY) / HOUR);
    const slot = (isoWeekday - 1) * 12 + Math.floor(hour / 2);
    starts[slot]! += n;
  }
  // The first window with the most starts: a tie goes to the earliest.
  let slot = 0;
  // Stryker disable next-line EqualityOperator: starts[length] is undefined, and undefined > n is false
  for (let other = 1; other < starts.length; other++) if (starts[other]! > starts[slot]!) slot = other;
  const count = starts[slot]!;
  const isoWeekday = Math.floor(slot / 12) + 1;
  const startHour = (slot % 12) * 2;
  return {
    weekday: Info.weekdays('long', { locale: 'en-US' })[isoWeekday - 1]!,
    isoWeekday,
    startHour,
    endHour: startHour + 2,
    starts: count,
  };
}

/**
 * The zone's offset (minutes) at `at`, asking luxon as little as possible (each answer
 * costs a formatToParts): when the offsets at both ends of a UTC day agree, they hold
 * for all of it (zones change offset at most twice a year); otherwise the same is asked
 * of the hour, and only inside a transition's hour of each instant.
 */
function offsetAt(zone: Zone, at: number, cache: OffsetCache): number {
  // Stryker disable next-line ArithmeticOperator: a day start past the last date has no offset (NaN): the hour's is asked instead
  const day = Math.floor(at / DAY) * DAY;
  const daily = steadyOffset(zone, day, DAY, cache.days);
  if (daily !== null) return daily;
  // Stryker disable next-line ArithmeticOperator: an hour start past the last date has no offset (NaN): the instant's is asked instead
  const hour = Math.floor(at / HOUR) * HOUR;
  return steadyOffset(zone, hour, HOUR, cache.hours) ?? zone.offset(at);
}

/** Offsets by the start of the UTC day, or of the hour, they hold for (NaN: not all of it). */
interface OffsetCache {
  days: Map<number, number>;
  hours: Map<number, number>;
}

function steadyOffset(zone: Zone, start: number, span: number, cache: Map<number, number>): number | null {
  let offset = cache.get(start);
  // Stryker disable next-line ConditionalExpression: asking the zone again gives the same answer
  if (offset === undefined) {
    const first = zone.offset(start);
    offset = first === zone.offset(start + span - 1) ? first : Number.NaN;
    cache.set(start, offset);
  }
  return Number.isNaN(offset) ? null : offset;
}
