/**
 * One ordinal row of the file log replayed onto the ledger's state bytes, run by run:
 * a resume replays runs of tens of thousands of files finished in plan order, so the
 * work is a check and a fill per run, not a call per file.
 */
import type { OrdinalEventKind } from '../../repositories/checkpoint-files.repository';
import { decodeOrdinalRuns } from '../../repositories/file-log-codec';
import { InconsistentFileLogError } from '../../untrusted-checkpoint';
import { COMPLETED, GONE, mayMove, PENDING, SKIPPED, STATE_NAMES, stateAfter } from './file-states';

/**
 * Move the files a row of `kind` names, in `states` (ordinals below `total` are planned),
 * each checked against the file log's rule (mayMove) before its run moves. Returns how
 * many files left each state (indexed by state code) and how many ordinals the row held.
 * Throws InconsistentFileLogError on an ordinal the rule refuses, or a damaged encoding.
 */
export function replayOrdinalRow(
  states: Uint8Array,
  total: number,
  kind: OrdinalEventKind,
  data: Uint8Array,
): { left: number[]; count: number } {
  const to = stateAfter(kind);
  // The rule, looked up once per row rather than once per file.
  const allowed = [GONE, PENDING, COMPLETED, SKIPPED].map((from) => mayMove(kind, from));
  const left = [0, 0, 0, 0];
  // Past `total` (or past the array) an ordinal reads as undefined: never planned.
  const planned = states.subarray(0, total);
  const count = decodeOrdinalRuns(data, (start, length) => {
    const end = start + length;
    for (let ordinal = start; ordinal < end; ordinal++) {
      const from = planned[ordinal] ?? GONE;
      if (!allowed[from]) {
        throw new InconsistentFileLogError(
          `${kind} ordinal ${ordinal} was ${ordinal < total ? (STATE_NAMES[from] ?? 'removed') : 'never planned'}`,
        );
      }
      left[from]!++;
    }
    states.fill(to, start, end);
  });
  return { left, count };
}
