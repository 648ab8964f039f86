/** Options, value parsers and wording several commands share. */
import { isUserError, UserError } from '../core/errors.js';
import { PROVIDERS } from '../models/session.js';
import { stringOption, type Command, type CommandContext, type OptionSpec } from './command.js';

export const DATA_OPTION: Record<string, OptionSpec> = {
  data: { type: 'string', valueName: 'DIR', description: "the app's data folder (default: the desktop app's own; LUMEN_DATA overrides)" },
};

export const PROVIDER_OPTION: Record<string, OptionSpec> = {
  provider: { type: 'string', valueName: 'NAME', description: `execution provider: ${PROVIDERS.join(', ')} (default: the settings’ choice, auto unless changed)` },
};

export const MODEL_OPTIONS: Record<string, OptionSpec> = {
  ...DATA_OPTION,
  model: { type: 'string', valueName: 'DIR|ID', description: 'model folder, or the id of an installed catalogue model (default: the settings’ choice, else the library’s)' },
  ...PROVIDER_OPTION,
};

/** For commands that change the library (Note [One writer] in storage/writer-lock.ts). */
export const WAIT_OPTION: Record<string, OptionSpec> = {
  wait: { type: 'boolean', description: 'if another Lumen process is changing the library, wait for it to finish instead of stopping' },
};

export function requirePositionals(context: CommandContext, what: string): string[] {
  if (context.positionals.length === 0) throw new UserError('bad-input', `Give at least one ${what}.`);
  return context.positionals;
}

/** The one argument a command takes, which none and two are refused alike (an empty one before: askedAmiss in index.ts). */
export function requireOne(context: CommandContext, what: string): string {
  const [one, ...more] = context.positionals;
  if (one === undefined || more.length > 0) throw new UserError('bad-input', `Give one ${what}.`);
  return one;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** `--name N`: a number at least `min` (whole when `integer`), or `fallback` when absent. */
export function numberOption<Fallback extends number | undefined>(context: CommandContext, name: string, fallback: Fallback, options: { min?: number; max?: number; integer?: boolean } = {}): number | Fallback {
  const raw = stringOption(context, name);
  if (raw === undefined) return fallback;
  // Written in decimals only: Number() also reads "0x1", "0b1" and "" as numbers.
  const value = DECIMAL.test(raw.trim()) ? Number(raw) : Number.NaN;
  const { min = 0, max = Number.POSITIVE_INFINITY, integer = false } = options;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const kind = integer ? 'a whole number' : 'a number';
    const range = max === Number.POSITIVE_INFINITY ? `${min} or more` : `from ${min} to ${max}`;
    throw new UserError('bad-input', `--${name} takes ${kind} ${range}, not "${raw}".`);
  }
  return value;
}

/** `--name 1,8,32`: whole numbers of at least `min`. */
export function numberListOption(context: CommandContext, name: string, fallback: string, min = 0): number[] {
  const raw = stringOption(context, name) ?? fallback;
  const values = raw.split(',').map((part) => (DECIMAL.test(part.trim()) ? Number(part) : Number.NaN));
  if (values.some((n) => !Number.isInteger(n) || n < min)) throw new UserError('bad-input', `--${name} takes whole numbers of ${min} or more, e.g. --${name} ${fallback}.`);
  return values;
}

/** "1 photo", "3 photos"; `plural` for irregular words. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return countColumn(n, 0, singular, plural);
}

/** `count` for a column: the number right-aligned in `width` characters, so the numbers of a listing line up. */
export function countColumn(n: number, width: number, singular: string, plural = `${singular}s`): string {
  return `${String(n).padStart(width)} ${n === 1 ? singular : plural}`;
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

/**
 * Note [One path, one line]: a file name may hold any character but "/" (a newline, a tab, a
 * terminal's escape), and a script reading the text output one path a line must not be fooled by
 * one, nor a terminal made to run an escape sequence. So text output writes a path holding a
 * control character (C0, DEL or C1) in the shell's $'…' quoting, which bash, zsh and ksh read back
 * to the exact name, and every other path as it is; a message, which may quote a name, has its
 * control characters written the same way, without the quotes. Every command goes through
 * `shownPath` and `oneLine` for what it prints of a path or such a message; `--json` output is
 * exact, JSON escaping control characters itself.
 */
function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** `char` as $'…' reads it: C0 and DEL as \xHH (one byte each), C1 as \uHHHH (two bytes in UTF-8). */
function escaped(char: string): string {
  const code = char.charCodeAt(0);
  return ESCAPES[char] ?? (code < 0x80 ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`);
}

/** A path for text output, on one line (Note [One path, one line]). */
export function shownPath(file: string): string {
  if (![...file].some(isControl)) return file;
  let quoted = '';
  for (const char of file) quoted += char === '\\' || char === "'" ? `\\${char}` : isControl(char) ? escaped(char) : char;
  return `$'${quoted}'`;
}

/** A file and what befell it ("skipped X: not an image"), on one line (Note [One path, one line]). */
export function fileLine(file: string, why: string): string {
  return `${shownPath(file)}: ${oneLine(why)}`;
}

/** A message for text output, on one line: its control characters escaped (Note [One path, one line]). */
export function oneLine(text: string): string {
  let line = '';
  for (const char of text) line += isControl(char) ? escaped(char) : char;
  return line;
}

/**
 * Note [Cancelled, and what is kept]: a job stopped by Ctrl-C said only "Cancelled.", though what
 * it stored is kept and the next run goes on from there. `running.done`, with its cancellation
 * saying so: `kept` words it from the job's last progress ("16 photos indexed and kept"), as the
 * app says how many photos were indexed, and `goesOn` is the command that goes on from there.
 */
export async function cancelledSaysWhatIsKept<Result, Progress>(running: { job: { progress: unknown }; done: Promise<Result> }, kept: (progress: Progress | null) => string, goesOn: string): Promise<Result> {
  try {
    return await running.done;
  } catch (error) {
    if (!isUserError(error) || error.code !== 'cancelled') throw error;
    throw new UserError('cancelled', `Cancelled: ${kept(running.job.progress as Progress | null)}; \`${goesOn}\` goes on from there.`, { cause: error });
  }
}

/**
 * Note [The run that goes on]: Ctrl-C on `lumen ocr --all` said that `lumen ocr` goes on from
 * there, but a plain `lumen ocr` reads only the photos the quick look lets through: it read none
 * of the rest. And given --data, a plain command goes on in another library. So the command that
 * goes on is the one given: its own options and its folders and photos, each quoted where the
 * shell would not read it back as it is.
 */
export function commandAsGiven(command: Command, context: CommandContext): string {
  const options = Object.keys(command.options).flatMap((name) => {
    const value = context.options[name];
    return value === true ? [`--${name}`] : typeof value === 'string' ? [`--${name}`, shellWord(value)] : [];
  });
  return [`lumen ${command.name}`, ...options, ...context.positionals.map(shellWord)].join(' ');
}

/** `word` as a shell reads it back: as it is, in $'…' where it holds a control character (Note [One path, one line]), or else in single quotes. */
function shellWord(word: string): string {
  const shown = shownPath(word);
  if (shown !== word || /^[\w./:@%+=,-]+$/.test(word)) return shown;
  return `'${word.replaceAll("'", "'\\''")}'`;
}
