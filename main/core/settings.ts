/**
 * A person's preferences, in `<data>/settings.json`, validated on read and written atomically
 * (temp file + rename), so a crash mid-write leaves the previous settings, never half a file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './temporary-files.js';

const settingsSchema = z.object({
  /** Installed model id or model folder; null means the default. */
  model: z.string().nullable().default(null),
  provider: z.string().default('auto'),
});

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsFile {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  async read(): Promise<Settings> {
    const text = await readFile(this.file, 'utf8').catch(() => '{}');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = {};
    }
    // A hand-edited file with a bad field falls back to defaults rather than locking the app out.
    return settingsSchema.safeParse(raw).data ?? settingsSchema.parse({});
  }

  async update(change: Partial<Settings>): Promise<Settings> {
    const next = settingsSchema.parse({ ...(await this.read()), ...change });
    await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }
}
