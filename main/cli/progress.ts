/** Job progress on stderr, one line every couple of seconds (and at each new phase). */
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { count, formatBytes } from './common.js';

const INTERVAL_MS = 2000;

function eta(seconds: number | null): string {
  return seconds === null ? '' : `, about ${Math.ceil(seconds)} s left`;
}

export function describeProgress(job: JobInfo): string | null {
  if (!job.progress) return null;
  switch (job.kind) {
    case 'index': {
      const p = job.progress;
      if (p.phase === 'scanning') return `scanning: ${count(p.found, 'file')} found so far`;
      // Stored, not embedded: a photo embedded waits for its batch to be written, and is lost to a kill until then.
      return `${p.phase}: ${p.processed} of ${p.toProcess} (${p.indexed} stored, ${p.failed} failed), ${p.imagesPerSecond.toFixed(1)} photos/s${eta(p.etaSeconds)}`;
    }
    case 'download': {
      const p = job.progress;
      const percent = p.bytesTotal ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '0.0';
      return `${percent}%  ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}  ${formatBytes(p.bytesPerSecond)}/s${eta(p.etaSeconds)}  (${p.file})`;
    }
    case 'duplicates':
      return job.progress.phase === 'calibrating' ? 'calibrating the threshold on edited copies of a few photos' : `${job.progress.phase}: ${job.progress.done} of ${job.progress.total}`;
    case 'ocr': {
      const p = job.progress;
      const rate = p.perSecond > 0 ? `, ${p.perSecond.toFixed(1)} photos/s${eta(p.etaSeconds)}` : '';
      return `reading text: ${p.done} of ${p.total} (${p.withText} with text, ${p.skipped} skipped by the quick look, ${p.failed} failed)${rate}`;
    }
    default:
      return `${job.progress.phase}: ${job.progress.done} of ${job.progress.total}${eta(job.progress.etaSeconds)}`;
  }
}

/**
 * Note [Scanning said to its end]: a walk takes a moment, so its first progress (one file found)
 * was most often the only one printed, and every run said "scanning: 1 file found", an empty
 * folder's too. The scanning line says "so far" while it runs, and the walk's end, seen as the
 * index job's next phase begins, is said with what it found in all ("no files found" for none).
 */
function scanningDone(job: JobInfo): string | null {
  if (job.kind !== 'index' || !job.progress || job.progress.phase === 'scanning') return null;
  return job.progress.found === 0 ? 'scanning: no files found' : `scanning: ${count(job.progress.found, 'file')} found`;
}

/** An engine event listener that prints running jobs' progress with `log`. */
export function progressPrinter(log: (message: string) => void): (event: AppEvent) => void {
  const last = new Map<string, { at: number; phase: string | undefined; line: string }>();
  return (event) => {
    if (event.type !== 'job' || event.job.state !== 'running') return;
    const { job } = event;
    const phase = (job.progress as { phase?: string } | null)?.phase;
    const now = Date.now();
    const previous = last.get(job.id);
    const walked = previous === undefined || previous.phase === 'scanning' ? scanningDone(job) : null;
    if (walked) log(walked);
    if (previous && previous.phase === phase && now - previous.at < INTERVAL_MS) return;
    const line = describeProgress(job);
    // A phase that reports no figures (calibrating) is said once, not again every interval.
    if (!line || line === previous?.line) return;
    last.set(job.id, { at: now, phase, line });
    log(line);
  };
}
