/**
 * A person's preferences, in `<data>/settings.json`, validated on read and written atomically
 * (temp file + rename), so a crash mid-write leaves the previous settings, never half a file.
 *
 * Note [Settings field by field]: a hand-edited file with one bad field keeps the others (a bad
 * field alone falls back to its default, rather than locking the app out), and changes made at
 * once (a model picked while the provider changes) are made one after another, each on what the
 * one before wrote, so neither is lost. A file that is there but cannot be read is said, never
 * taken for no settings.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { codeOf, messageOf, UserError } from './errors.js';
import { InTurn } from './in-turn.js';
import { writeFileAtomic } from './temporary-files.js';

const settingsSchema = z.object({
  /** Installed model id or model folder; null means the default. */
  model: z.string().nullable().catch(null),
  provider: z.string().catch('auto'),
});

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsFile {
  private readonly file: string;
  /** Changes one after another (Note [Settings field by field]). */
  private readonly changes = new InTurn();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  async read(): Promise<Settings> {
    const text = await readFile(this.file, 'utf8').catch((error: unknown) => {
      // No file, or no data folder to hold one (a file in its place is said where the library opens).
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return '{}';
      throw new UserError('storage', `Cannot read your settings (${this.file}): ${messageOf(error)}.`, { cause: error });
    });
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = {};
    }
    // Each field falls back alone; only a file that is no object at all is the defaults whole.
    return settingsSchema.safeParse(raw).data ?? settingsSchema.parse({});
  }

  update(change: Partial<Settings>): Promise<Settings> {
    return this.changes.run(async () => {
      const settings = settingsSchema.parse({ ...(await this.read()), ...change });
      await writeFileAtomic(this.file, `${JSON.stringify(settings, null, 2)}\n`);
      return settings;
    });
  }
}
