/** Progress of a download: bytes done over all its files, and the rate and time left from the bytes received. */
import type { DownloadProgressInfo } from '../../preload/contract.js';
import { RateMeter } from '../jobs/job.js';

const PROGRESS_INTERVAL_MS = 100;
const RATE_WINDOW_MS = 5_000;

export class Meter {
  private doneBytes = 0; // bytes of finished files
  private fileBytes = 0;
  private file = '';
  private fileIndex = 0;
  private network = 0;
  private lastEmit = -Infinity;
  private readonly rate = new RateMeter(RATE_WINDOW_MS);

  constructor(
    private readonly onProgress: ((p: DownloadProgressInfo) => void) | undefined,
    private readonly fileCount: number,
    private readonly bytesTotal: number,
  ) {
    this.rate.record(0);
  }

  startFile(file: string, index: number): void {
    this.file = file;
    this.fileIndex = index;
    this.fileBytes = 0;
  }

  setFileBytes(n: number): void {
    this.fileBytes = n;
    this.emit(false);
  }

  addNetwork(n: number): void {
    this.network += n;
  }

  finishFile(size: number): void {
    this.doneBytes += size;
    this.fileBytes = 0;
    this.emit(true);
  }

  private emit(force: boolean): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    // The rate is of bytes received (network), not of bytes done: resumed parts count as done at once.
    this.rate.record(this.network, now);
    const bytesDone = Math.min(this.doneBytes + this.fileBytes, this.bytesTotal);
    const remaining = this.bytesTotal - bytesDone;
    const eta = this.rate.eta(remaining);
    this.onProgress({
      file: this.file,
      fileIndex: this.fileIndex,
      fileCount: this.fileCount,
      bytesDone,
      bytesTotal: this.bytesTotal,
      bytesPerSecond: Math.round(this.rate.perSecond),
      etaSeconds: remaining === 0 ? 0 : eta === null ? null : Math.ceil(eta),
    });
  }
}
