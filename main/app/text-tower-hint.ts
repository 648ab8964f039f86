/**
 * Which text tower the engine started last, kept in the data folder so that the next launch can
 * start it before anything else (Note [Text tower first] in engine-process.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/temporary-files.js';
import { ModelSession, PROVIDERS, type Logger, type SessionPlan } from '../models/session.js';

const HINT_FILE = 'text-tower.json';
const THREADS: ReadonlyArray<SessionPlan['thread']> = ['interactive', 'background'];

/**
 * The plan the file holds, or null when there is none or it is not one. Checked by hand, not
 * with a schema library: this runs before the rest of the engine loads, and only sees what
 * `rememberTextTower` wrote (a wrong guess costs a session started for nothing, then released).
 */
export function readTextTowerHint(dataDir: string): SessionPlan | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path.join(dataDir, HINT_FILE), 'utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { modelPath, preference, thread } = value as Record<string, unknown>;
  if (typeof modelPath !== 'string' || !path.isAbsolute(modelPath)) return null;
  if (!PROVIDERS.some((known) => known === preference) || !THREADS.some((known) => known === thread)) return null;
  return { modelPath, preference: preference as SessionPlan['preference'], thread: thread as SessionPlan['thread'] };
}

/** Records the text tower the engine started, when it differs from the one recorded. */
export async function rememberTextTower(dataDir: string, plan: SessionPlan): Promise<void> {
  const known = readTextTowerHint(dataDir);
  if (known && known.modelPath === plan.modelPath && known.preference === plan.preference && known.thread === plan.thread) return;
  await writeFileAtomic(path.join(dataDir, HINT_FILE), JSON.stringify(plan));
}

/** Starts the text tower the file names, if any (null without); the engine's own start then takes it over. */
export function startTextTowerEarly(dataDir: string, log: Logger): Promise<ModelSession> | null {
  const plan = readTextTowerHint(dataDir);
  return plan ? ModelSession.startEarly(plan, log) : null;
}
