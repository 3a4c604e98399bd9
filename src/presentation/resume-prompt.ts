import { DateTime } from 'luxon';
import type { ResumeInfo } from '../services/resume/resume-info';
import { formatAgo, formatDurationWords } from './durations';

export type ResumeChoice = 'resume' | 'fresh' | 'cancel';

/** The story's "Resume Prompt", for an incomplete sync. `now` places "15 minutes ago". */
export function renderResumePrompt(info: ResumeInfo, now: number = Date.now()): string {
  const lines = [
    '📎 Incomplete sync detected!',
    '',
    `Previous sync was ${wholePercent(info.progress)}% complete when ${howItStopped(info.status)} ${formatAgo(info.interruptedAt, now)}`,
    `  • Phase: ${info.phase}`,
    `  • Files processed: ${info.filesProcessed}/${info.totalFiles}`,
  ];
  if (info.canResume) {
    lines.push(
      `  • Estimated time to complete: ${info.estimatedTime === null ? 'unknown' : formatDurationWords(info.estimatedTime)}`,
    );
  } else {
    lines.push(`  • Cannot resume: ${info.reason}. A full sync is required.`);
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
    ms === null
      ? 'none'
      : `${DateTime.fromMillis(ms).toFormat('yyyy-LL-dd HH:mm:ss')} (${formatAgo(ms, now)})`;
  return [
    'Sync details:',
    `  • Job: ${info.jobId}`,
    `  • How it stopped: ${info.status === 'interrupted' ? 'interrupted (its process ended before the sync did)' : info.status}`,
    `  • Started: ${at(info.startedAt)}`,
    `  • Last activity: ${at(info.interruptedAt)}`,
    `  • Last checkpoint: ${at(info.checkpointAt)}`,
    `  • Git commit: ${info.gitCommit ?? 'none recorded'}`,
    `  • Progress: ${wholePercent(info.progress)}% overall, in ${info.phase}`,
    `  • Files: ${info.filesProcessed} done, ${info.filesRemaining} remaining, ${info.totalFiles} in all`,
    info.canResume
      ? `  • Resume: continues from the last checkpoint, skipping the ${info.filesProcessed} files done`
      : `  • Resume: not possible (${info.reason}); a full sync is required`,
    '',
  ].join('\n');
}

/** What to say when an answer was not understood (or was R while Resume is not available). */
export function renderRetryHint(info: ResumeInfo): string {
  return info.canResume ? 'Please answer R, S, V or C.' : 'Resume is not available: please answer S, V or C.';
}

/** The story's clause: "when interrupted 15 minutes ago", "when it failed just now". */
function howItStopped(status: ResumeInfo['status']): string {
  switch (status) {
    case 'interrupted':
      return 'interrupted';
    case 'failed':
      return 'it failed';
    case 'cancelled':
      return 'it was cancelled';
  }
}

/** Progress as people read it: 66.67 is "66%", never rounded up to a percent not reached. */
function wholePercent(progress: number): number {
  return Math.floor(progress);
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
