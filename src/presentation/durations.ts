import { DateTime, Duration } from 'luxon';

/**
 * Durations the way the story shows them: `45s`, `2m 30s`, `1h 5m`. Seconds are dropped
 * once there are hours, since nobody plans around them.
 */
export function formatDurationShort(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const d = Duration.fromObject({ seconds: total }).shiftTo('hours', 'minutes', 'seconds');
  if (d.hours > 0) return d.minutes > 0 ? `${d.hours}h ${d.minutes}m` : `${d.hours}h`;
  if (d.minutes > 0) return d.seconds > 0 ? `${d.minutes}m ${d.seconds}s` : `${d.minutes}m`;
  return `${d.seconds}s`;
}

/** A duration in words, rounded to its largest unit: "2 minutes", "about 1 hour", "45 seconds". */
export function formatDurationWords(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return plural(Math.max(1, seconds), 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/** "15 minutes ago", relative to `now` (never "in 2 minutes" if the clock went back). */
export function formatAgo(at: number, now: number): string {
  if (now - at < 60_000) return 'just now';
  return DateTime.fromMillis(at).toRelative({ base: DateTime.fromMillis(now), round: true }) ?? 'just now';
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
