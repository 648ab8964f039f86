/** Options and helpers several commands share. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { Library } from '../library/library.js';
import { ClipModel } from '../models/clip.js';
import { PROVIDERS, type ProviderPreference } from '../models/session.js';
import { ModelStore } from '../models/store.js';
import { stringOption, type CommandContext, type OptionSpec } from './command.js';

export const DATA_OPTION: Record<string, OptionSpec> = {
  data: { type: 'string', valueName: 'DIR', description: "the app's data folder (default: the desktop app's own; LUMEN_DATA overrides)" },
};

export const MODEL_OPTIONS: Record<string, OptionSpec> = {
  ...DATA_OPTION,
  model: { type: 'string', valueName: 'DIR|ID', description: 'model folder, or the id of an installed catalogue model' },
  provider: { type: 'string', valueName: 'NAME', description: `execution provider: ${PROVIDERS.join(', ')} (default auto: the GPU if it works, else the CPU)` },
};

export function providerOption(context: CommandContext): ProviderPreference {
  const value = stringOption(context, 'provider') ?? 'auto';
  if (!(PROVIDERS as readonly string[]).includes(value)) {
    throw new UserError('bad-input', `Unknown provider "${value}". Choose one of: ${PROVIDERS.join(', ')}.`);
  }
  return value as ProviderPreference;
}

/**
 * `--model` if given; else `servingModel` (the library's, see `Library.servingModelReference`);
 * else the default installed model.
 */
export async function loadModel(context: CommandContext, servingModel: string | null = null): Promise<ClipModel> {
  const reference = stringOption(context, 'model') ?? servingModel ?? undefined;
  const dir = await new ModelStore(context.dataDir).resolve(reference);
  return ClipModel.load(dir, { provider: providerOption(context), log: context.log });
}

/** Runs `use` with a loaded model, released afterwards. */
export async function withModel<T>(context: CommandContext, use: (model: ClipModel) => Promise<T>, servingModel: string | null = null): Promise<T> {
  const model = await loadModel(context, servingModel);
  try {
    return await use(model);
  } finally {
    await model.dispose();
  }
}

export function hasLibrary(context: CommandContext): boolean {
  return existsSync(path.join(context.dataDir, 'library.db'));
}

/** Runs `use` with the library of the data folder, closed afterwards; `existing` refuses to create one. */
export async function withLibrary<T>(context: CommandContext, use: (library: Library) => Promise<T>, options: { existing?: boolean } = {}): Promise<T> {
  if (options.existing && !hasLibrary(context)) {
    throw new UserError('bad-input', `There is no library in ${context.dataDir}. Run \`index FOLDER\` first, or pass --data.`);
  }
  const library = Library.open(context.dataDir);
  try {
    return await use(library);
  } finally {
    await library.close();
  }
}

export function requirePositionals(context: CommandContext, what: string): string[] {
  if (context.positionals.length === 0) throw new UserError('bad-input', `Give at least one ${what}.`);
  return context.positionals;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
