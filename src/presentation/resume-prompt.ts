import { DateTime } from 'luxon';
import type { ResumeInfo } from '../services/resume/resume-info';
import { formatAgo, formatDurationWords } from './durations';

export type ResumeChoice = 'resume' | 'fresh' | 'cancel';

/** The story's "Resume Prompt", for an incomplete sync. `now` places "15 minutes ago". */
export function renderResumePrompt(info: ResumeInfo, now: number = Date.now()): string {
  const lines = [
    '📎 Incomplete sync detected!',
    '',
    `Previous sync was ${Math.floor(info.progress)}% complete when ${whatHappened(info)} ${formatAgo(info.interruptedAt, now)}`,
    `  • Phase: ${info.phase}`,
    `  • Files processed: ${info.filesProcessed}/${info.totalFiles}`,
  ];
  if (info.canResume) {
    lines.push(
      `  • Estimated time to complete: ${info.estimatedTime === null ? 'unknown' : formatDurationWords(info.estimatedTime)}`,
    );
  } else {
    lines.push(`  • The checkpoint cannot be used (${info.reason}): a full sync is required`);
  }
  lines.push('', 'Would you like to:');
  lines.push(info.canResume ? '  [R]esume from checkpoint (recommended)' : '  [R]esume (not available)');
  lines.push(info.canResume ? '  [S]tart fresh sync' : '  [S]tart fresh sync (recommended)');
  lines.push('  [V]iew details', '  [C]ancel', '', 'Choice: ');
  return lines.join('\n');
}

/** What [V]iew details shows. */
export function renderResumeDetails(info: ResumeInfo, now: number = Date.now()): string {
  const at = (ms: number | null) =>
    ms === null ? 'none' : `${DateTime.fromMillis(ms).toFormat('yyyy-LL-dd HH:mm:ss')} (${formatAgo(ms, now)})`;
  return [
    'Sync details:',
    `  • Job: ${info.jobId}`,
    `  • Status: ${info.status}`,
    `  • Started: ${at(info.startedAt)}`,
    `  • Last activity: ${at(info.interruptedAt)}`,
    `  • Last checkpoint: ${at(info.checkpointAt)}`,
    `  • Git commit: ${info.gitCommit ?? 'unknown'}`,
    `  • Progress: ${info.progress}% in ${info.phase}`,
    `  • Files: ${info.filesProcessed} done, ${info.filesRemaining} remaining, ${info.totalFiles} in all`,
    `  • Can resume: ${info.canResume ? 'yes' : `no (${info.reason})`}`,
    '',
  ].join('\n');
}

function whatHappened(info: ResumeInfo): string {
  return info.status === 'interrupted' ? 'interrupted' : info.status;
}

/** Read one keypress-line answer; `null` means "ask again". Enter alone picks the recommendation. */
export function parseChoice(answer: string, info: ResumeInfo): ResumeChoice | 'details' | null {
  const key = answer.trim().toLowerCase();
  if (key === '') return info.canResume ? 'resume' : 'fresh';
  if (key === 'r' || key === 'resume') return info.canResume ? 'resume' : null;
  if (key === 's' || key === 'start' || key === 'fresh') return 'fresh';
  if (key === 'v' || key === 'view') return 'details';
  if (key === 'c' || key === 'cancel') return 'cancel';
  return null;
}
