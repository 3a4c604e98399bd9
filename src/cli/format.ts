import { DateTime } from 'luxon';

/** `532 B`, `12.3 kB`, `50.0 MB`: decimal units, as the size budget is stated (50 MB = 50,000,000 bytes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Local date and time for people: `2026-11-26 09:30`. */
export function formatWhen(ms: number): string {
  return DateTime.fromMillis(ms).toFormat('yyyy-LL-dd HH:mm');
}

/** `0600` for permission bits. */
export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
