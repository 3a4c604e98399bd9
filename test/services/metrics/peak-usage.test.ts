import { IANAZone } from 'luxon';
import { peakUsage, START_BUCKET_MS } from '../../../src/services/metrics/peak-usage';

const bucket = (at: number, starts = 1) => ({ bucket: Math.floor(at / START_BUCKET_MS), starts });
const zone = (name: string) => IANAZone.create(name);

describe('peakUsage', () => {
  it('is null without starts', () => {
    expect(peakUsage([], zone('UTC'))).toBeNull();
  });

  it('finds the weekday and even two-hour window with the most starts', () => {
    const buckets = [
      bucket(Date.UTC(2024, 0, 15, 10, 30)), // Monday 10:30
      bucket(Date.UTC(2024, 0, 8, 11, 45), 2), // Monday 11:45, two starts
      bucket(Date.UTC(2024, 0, 9, 10, 0), 2), // Tuesday 10:00, two
    ];
    expect(peakUsage(buckets, zone('UTC'))).toEqual({
      weekday: 'Monday',
      isoWeekday: 1,
      startHour: 10,
      endHour: 12,
      starts: 3,
    });
  });

  it('gives a tie to the earliest window of the ISO week', () => {
    const buckets = [
      bucket(Date.UTC(2024, 0, 14, 23, 0)),
      bucket(Date.UTC(2024, 0, 10, 9, 0)),
      bucket(Date.UTC(2024, 0, 10, 3, 0)),
    ];
    expect(peakUsage(buckets, zone('UTC'))).toMatchObject({ weekday: 'Wednesday', startHour: 2, endHour: 4 });
  });

  it('uses local time of the zone, across a daylight-saving change', () => {
    // New York moved from UTC-5 to UTC-4 on 2026-03-08: both are Monday 10:xx local.
    const buckets = [
      bucket(Date.UTC(2026, 2, 2, 15, 15)),
      bucket(Date.UTC(2026, 2, 9, 14, 15)),
      bucket(Date.UTC(2026, 2, 3, 12, 0)),
    ];
    expect(peakUsage(buckets, zone('America/New_York'))).toMatchObject({
      weekday: 'Monday',
      startHour: 10,
      starts: 2,
    });
    // On the day of the change itself: 06:45 UTC is 01:45 EST, 07:15 UTC is 03:15 EDT (Sunday).
    expect(peakUsage([bucket(Date.UTC(2026, 2, 8, 6, 45))], zone('America/New_York'))).toMatchObject({
      isoWeekday: 7,
      startHour: 0,
    });
    expect(peakUsage([bucket(Date.UTC(2026, 2, 8, 7, 15))], zone('America/New_York'))).toMatchObject({
      isoWeekday: 7,
      startHour: 2,
    });
    // Later that day the offset is the new one, not the day's first: 08:15 UTC is 04:15 EDT.
    expect(peakUsage([bucket(Date.UTC(2026, 2, 8, 8, 15))], zone('America/New_York'))).toMatchObject({
      isoWeekday: 7,
      startHour: 4,
    });
  });

  it('handles zones whose offsets are not whole hours, and changes inside an hour', () => {
    // Kolkata is UTC+5:30: 04:45 UTC on a Monday is 10:15 local.
    expect(peakUsage([bucket(Date.UTC(2024, 0, 15, 4, 45))], zone('Asia/Kolkata'))).toMatchObject({
      weekday: 'Monday',
      startHour: 10,
    });
    // Lord Howe Island goes from +10:30 to +11 at 15:30 UTC on 2026-10-03 (2am local, Sunday).
    const lordHowe = zone('Australia/Lord_Howe');
    expect(peakUsage([bucket(Date.UTC(2026, 9, 3, 15, 15))], lordHowe)).toMatchObject({
      isoWeekday: 7,
      startHour: 0,
    }); // 01:45
    expect(peakUsage([bucket(Date.UTC(2026, 9, 3, 15, 45))], lordHowe)).toMatchObject({
      isoWeekday: 7,
      startHour: 2,
    }); // 02:45
  });

  it('counts the window 10pm-12am and the day before the epoch right', () => {
    expect(peakUsage([bucket(Date.UTC(2024, 0, 14, 23, 30))], zone('UTC'))).toMatchObject({
      weekday: 'Sunday',
      startHour: 22,
      endHour: 24,
    });
    expect(peakUsage([bucket(Date.UTC(1969, 11, 31, 12, 0))], zone('UTC'))).toMatchObject({
      weekday: 'Wednesday',
    });
  });
});
