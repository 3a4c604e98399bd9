import type { DoctorCheck } from './doctor-check';
import type { StoreFacts } from './inspect-store';

/** Stored report figures it cannot use: nothing is lost (sync_history is the record), the report is slower. */
export function figuresCheck(facts: StoreFacts, repairCommand: string): DoctorCheck {
  const found = facts.syncFigures;
  if (facts.openError || facts.notOpened)
    return { name: 'figures', status: 'warn', detail: 'not checked: the file was not read', advice: null };
  if (found === null)
    return {
      name: 'figures',
      status: 'ok',
      detail: 'not checked: no sync_figures table yet (migrating the file fills it)',
      advice: null,
    };
  if (found.bad === 0 && found.missing === 0)
    return {
      name: 'figures',
      status: 'ok',
      detail: 'every completed sync has its figures recorded, as the history report reads them',
      advice: null,
    };
  const parts: string[] = [];
  if (found.bad > 0) {
    const why = found.why.map((w) => `${w.rows}: ${w.why}`).join('; ');
    parts.push(`${found.bad} sync_figures row(s) not as the recorder writes them (${why})`);
  }
  if (found.missing > 0)
    parts.push(`${found.missing} completed sync(s) without ${found.bad > 0 ? 'one' : 'a sync_figures row'}`);
  return {
    name: 'figures',
    status: 'warn',
    detail: `${parts.join(', ')}: the history report computes their windows from sync_history, about twice as slow`,
    advice: `run \`${repairCommand}\` (maintenance also does it when it next runs): it deletes those rows and records the figures again from sync_history`,
  };
}
