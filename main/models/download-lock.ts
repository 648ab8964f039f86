/**
 * Note [One download of a model at a time]: two processes downloading one model (the app, and
 * `lumen models download` beside it) shared its staging folder: each appended to the other's
 * part files at its own offsets, and each, checking the bytes it streamed rather than those on
 * disk, could install the mixed file as verified. So a download holds `<staging>.lock`, which
 * names its process; another download of that model is refused while that process lives, and a
 * lock a killed process left is taken over. The lock is made whole in one step (written aside,
 * then linked to its name), so no process ever reads one half written.
 */
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, codeOf } from '../core/errors.js';
import { DOWNLOADED_ADVICE } from '../core/cli-advice.js';
import { processAlive } from '../core/temporary-files.js';

/** Takes the lock of the download staged in `staging`, for the model `name`; resolves to its release. */
export async function lockDownload(staging: string, name: string): Promise<() => Promise<void>> {
  const lock = `${staging}.lock`;
  const aside = `${lock}.${process.pid}`;
  await mkdir(path.dirname(lock), { recursive: true });
  await writeFile(aside, String(process.pid));
  try {
    for (;;) {
      try {
        await link(aside, lock);
        return () => rm(lock, { force: true });
      } catch (error) {
        if (codeOf(error) !== 'EEXIST') throw error;
      }
      const holder = await downloadHolder(staging);
      if (holder !== null) {
        throw new UserError('busy', `Model ${name} is already being downloaded by another Lumen process (pid ${holder}); wait for it to finish, ${DOWNLOADED_ADVICE}.`);
      }
      // Left by a process that is gone (or removed meanwhile): taken over.
      await rm(lock, { force: true });
    }
  } finally {
    await rm(aside, { force: true });
  }
}

/** The live process downloading the model staged in `staging`, if any (a lock left by a process that is gone names none). */
export async function downloadHolder(staging: string): Promise<number | null> {
  const holder = Number(await readFile(`${staging}.lock`, 'utf8').catch(() => ''));
  return processAlive(holder) ? holder : null;
}
