export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding of `doctor`: what was checked, how it stands, and what to do about it. */
export interface DoctorCheck {
  name:
    | 'integrity'
    | 'rows'
    | 'figures'
    | 'schema'
    | 'size'
    | 'links and owners'
    | 'file modes'
    | 'maintenance'
    | 'vacuum';
  status: CheckStatus;
  detail: string;
  /** What to do; null when nothing needs doing. */
  advice: string | null;
}
