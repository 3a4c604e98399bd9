/**
 * How many of a sync's files are pending, completed and skipped: part of the public types,
 * in a file of its own so they reach no driver or ORM type.
 */
export interface FileCounts {
  pending: number;
  completed: number;
  skipped: number;
}
