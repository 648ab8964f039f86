/**
 * Command-line interface over the same engine the desktop app uses: scripting, benchmarks and
 * headless use. `npm run -s cli -- <command> [options]`.
 *
 * Note [Streams]: results go to stdout (JSON with --json), progress, logs and usage errors to
 * stderr, so `--json` output can always be piped into another program. Bad input (including a
 * photo, folder or model that does not exist, or a file named as a photo or model that is none)
 * exits with status 2 and one line saying what to do; a failure of the work itself exits with 1;
 * an interrupted run exits with 130 (Note [Exit statuses]). A reader that goes away early
 * (`| head`) stops no run, whether it read stdout or stderr.
 *
 * Note [Exit statuses]: a library busy (another Lumen process writing it, or another program
 * holding it open; a model another Lumen process downloads) is no failure of the command: it is
 * for later. It exits with 75, EX_TEMPFAIL of sysexits.h, which mail and other tools give for
 * "try again later", so a script can tell it from a failure (1). `--wait` waits instead, where
 * another Lumen process writes the library; a model downloaded meanwhile is then installed, and
 * downloading it again is refused as installed already.
 *
 * Note [Ctrl-C]: the first Ctrl-C cancels the running job, which stops at its next checkpoint
 * with everything finished so far kept, and any job the command would start after it starts
 * cancelled (it may come while the library opens); a second one exits at once (the same one sent
 * again by tsx is none: Note [One press, sent twice] in interrupts.ts). SIGTERM (`kill`, a service
 * manager, a container stopping) is the same request to stop, so it is handled the same way and
 * ends with the same status: a run stopped either way has released the library's writer lock.
 *
 * Note [Cold start]: a search from a new process should cost little more than loading the
 * model. The built CLI (`npm run build:cli`: out/cli/lumen.cjs) is one file with nothing to
 * compile; libvips (sharp) loads only in the commands that decode photos (indexer.ts,
 * preprocess.ts, thumbnails.ts, OCR, the near-duplicate finder and the embedding benchmark are
 * imported on first use); the
 * vector index is memory-mapped, not read or hashed (Note [Memory-mapped index] and [Trusted
 * files] in vector-index.ts); the 8-bit matrix and the filter snapshot are read only by searches
 * that need them, and the cutoff's baseline comes with the index. Measured by
 * `npm run bench -- coldstart` against the model's own load in the same run.
 */
import '../core/threadpool.js';
import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { isDiskFull, isUserError, messageOf, type UserError, type UserErrorCode } from '../core/errors.js';
import { PhotoFileError, type FileProblem } from '../core/photo-file.js';
import { defaultDataDir } from '../core/paths.js';
import { Engine } from '../engine/engine.js';
import { withoutDataAdvice } from '../engine/no-library.js';
import { actionableError } from '../storage/damage.js';
import { parseProvider } from '../engine/model-host.js';
import { benchEmbed } from './bench.js';
import { duplicates } from './duplicates.js';
import { stringOption, type Command, type CommandContext, type OptionSpec } from './command.js';
import { oneLine } from './common.js';
import { embedImage, embedText } from './embed.js';
import { stopSignalHandler } from './interrupts.js';
import { failures, folders, index, search, similar } from './library.js';
import { models } from './models.js';
import { progressPrinter } from './progress.js';
import { status } from './status.js';
import { nearest } from './suggest.js';
import { TAG_COMMANDS } from './tags.js';
import { ocr, text } from './text.js';

const COMMANDS: Command[] = [index, folders, search, similar, failures, status, models, embedText, embedImage, benchEmbed, ...TAG_COMMANDS, duplicates, ocr, text];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print the result as JSON on stdout (progress stays on stderr)' },
  help: { type: 'boolean', short: 'h', description: 'describe the command' },
};

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
/** The library is busy: try again later (Note [Exit statuses]). */
const EXIT_BUSY = 75;
const EXIT_INTERRUPTED = 130;
/** Errors about what the person asked for (exit 2), rather than about the work (exit 1). */
const USAGE_ERRORS: ReadonlySet<UserErrorCode> = new Set(['bad-input', 'not-found', 'model-missing', 'image-undecodable']);
/**
 * A file named as a photo that is none (missing, a folder, a device, too large) is bad input too;
 * one the system will not let this process read (permission, an I/O error) is a failure.
 */
const NOT_A_PHOTO: ReadonlySet<FileProblem> = new Set(['missing', 'folder', 'special', 'too-large']);
/** The signals that ask a run to stop: Ctrl-C, and `kill` or a service manager (Note [Ctrl-C]). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** How an option that takes several values in one is given them (by its value's name in the help). */
const SEVERAL_IN_ONE: Record<string, string> = { GLOBS: ', its globs comma-separated', LIST: ', its values comma-separated', 'T[|T...]': ', its templates joined by |' };
/** Options whose default an empty value would quietly stand for: what to give instead. */
const DEFAULTED: Record<string, string> = { data: 'a data folder', model: 'a model folder or the id of an installed model' };

/**
 * What was asked amiss in a way the command would quietly take for something else, refused: an
 * empty value (an unset shell variable: `--remove "$DIR"`), which would stand for the current
 * folder, the default, or no filter at all; an option given twice, of which only the last value
 * would count; and an option after `--`, which would be searched for as words while the command
 * ran on the default library, in the default format.
 */
function askedAmiss(command: Command, parsed: ReturnType<typeof parseArgs>, options: Record<string, OptionSpec>): string | null {
  const tokens = parsed.tokens ?? [];
  const terminator = tokens.findIndex((token) => token.kind === 'option-terminator');
  const optionAfter = terminator < 0 ? undefined : tokens.slice(terminator).find((token) => token.kind === 'positional' && Object.hasOwn(options, /^--([\w-]+)(=|$)/.exec(token.value)?.[1] ?? ''));
  if (optionAfter?.kind === 'positional') {
    return `${optionAfter.value} comes after --, which makes it words of the argument, not an option: put every option before -- (lumen ${command.name} [options] -- ${command.args}).`;
  }
  const given = tokens.flatMap((token) => (token.kind === 'option' && options[token.name]?.type === 'string' && !options[token.name]?.multiple ? [token.name] : []));
  const twice = given.find((option, at) => given.indexOf(option) !== at);
  if (twice) return `--${twice} is given more than once; give it once${SEVERAL_IN_ONE[options[twice]?.valueName ?? ''] ?? ''}.`;
  const emptied = Object.keys(parsed.values).find((option) => parsed.values[option] === '' && !options[option]?.mayBeEmpty);
  if (emptied) {
    const defaulted = DEFAULTED[emptied];
    if (defaulted) return `--${emptied} is empty (an unset shell variable?); give ${defaulted}, or leave --${emptied} out for the default.`;
    return `--${emptied} is empty (an unset shell variable?): give --${emptied} ${options[emptied]?.valueName ?? 'VALUE'}, or leave it out.`;
  }
  // A usage ending in "TEXT..." ends the sentence itself.
  if (parsed.positionals.includes('')) return `an argument is empty (an unset shell variable?): lumen ${command.name} takes ${command.args}${command.args.endsWith('.') ? '' : '.'}`;
  return null;
}

function isBadInput(error: UserError): boolean {
  return USAGE_ERRORS.has(error.code) || (error instanceof PhotoFileError && NOT_A_PHOTO.has(error.problem));
}

function exitStatusOf(error: UserError): number {
  if (error.code === 'cancelled') return EXIT_INTERRUPTED;
  if (error.code === 'busy') return EXIT_BUSY;
  return isBadInput(error) ? EXIT_USAGE : EXIT_FAILURE;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(24)} ${spec.description}`;
  });
}

function commandHelp(command: Command): string {
  return [
    `Usage: lumen ${command.name}${command.args ? ` ${command.args}` : ''} [options]`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    '',
    'Options:',
    ...optionLines({ ...command.options, ...GLOBAL_OPTIONS }),
  ].join('\n');
}

function generalHelp(): string {
  return [
    'Usage: lumen <command> [options]      (from the project: npm run -s cli -- <command>)',
    '',
    'Private, on-device photo search.',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(14)} ${command.summary}`),
    '',
    'Run `lumen <command> --help` (or `lumen help <command>`) for a command’s options. Every command takes --json. `lumen --version` prints the version.',
    '',
    `Exit status: 0 done, ${EXIT_FAILURE} failed or not all done, ${EXIT_USAGE} a mistake in what was asked, ${EXIT_BUSY} busy (try again later; --wait waits for another Lumen process writing the library), ${EXIT_INTERRUPTED} interrupted.`,
  ].join('\n');
}

/** parseArgs' message for an unknown option, with the nearest known one suggested. */
function optionProblem(error: unknown, options: Record<string, OptionSpec>): string {
  const message = messageOf(error).replace(/\. To specify a positional argument.*$/s, '');
  // parseArgs calls an option followed by another option "ambiguous", in three lines.
  // …and one with nothing after it "argument missing": both a value left out.
  const missing = /^Option '(?:-\w, )?--([\w-]+)(?: <value>)?' argument (?:is ambiguous|missing)/.exec(message)?.[1];
  if (missing) return `--${missing} needs a value: --${missing} ${options[missing]?.valueName ?? 'VALUE'}`;
  const unknown = /Unknown option '--?([^']+)'/.exec(message)?.[1];
  const suggestion = unknown ? nearest(unknown, Object.keys(options)) : null;
  return suggestion ? `${message}. Did you mean --${suggestion}?` : message;
}

/**
 * An argument that starts with "-" but names no option (a query such as "- people", a negative
 * number), which parseArgs reads as one: what to write instead.
 */
function dashedWords(name: string, args: readonly string[], options: Record<string, OptionSpec>): string | null {
  const end = args.indexOf('--');
  const before = args.slice(0, end < 0 ? undefined : end);
  const at = before.findIndex((arg) => arg.length > 1 && arg.startsWith('-') && !/^--?[A-Za-z]/.test(arg));
  if (at < 0) return null;
  const dashed = before[at] as string;
  const option = /^--([\w-]+)$/.exec(before[at - 1] ?? '')?.[1];
  if (option && options[option]?.type === 'string') return `--${option} ${dashed} reads "${dashed}" as an option: write --${option}=${dashed}`;
  return `"${dashed}" starts with "-", so it was read as an option: put -- before it, after every option (lumen ${name} [options] -- "${dashed}")`;
}

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Options before the command (`lumen --data DIR search beach`), where git and docker take them,
 * are read as if they came after it: the command is the first word that names one and is no
 * option's value.
 */
function commandFirst(argv: readonly string[]): string[] {
  if (!argv[0]?.startsWith('-') || ['--help', '-h', '--version', '-v'].includes(argv[0])) return [...argv];
  for (let at = 1; at < argv.length; at++) {
    const command = COMMANDS.find((candidate) => candidate.name === argv[at]);
    const option = /^--([\w-]+)$/.exec(argv[at - 1] ?? '')?.[1];
    if (command && !(option && { ...command.options, ...GLOBAL_OPTIONS }[option]?.type === 'string')) return [argv[at] as string, ...argv.slice(0, at), ...argv.slice(at + 1)];
  }
  return [...argv];
}

/** Says `name` is no command, with the nearest one. */
function unknownCommand(name: string, io: CliIo): number {
  const suggestion = nearest(name, COMMANDS.map((c) => c.name));
  io.stderr.write(`lumen: unknown command "${name}".${suggestion ? ` Did you mean \`${suggestion}\`?` : ''} See \`lumen --help\` for the commands.\n`);
  return EXIT_USAGE;
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = commandFirst(argv);
  if (name === 'help' && rest[0] !== undefined) {
    const asked = COMMANDS.find((candidate) => candidate.name === rest[0]);
    if (!asked) return unknownCommand(rest[0], io);
    io.stdout.write(`${commandHelp(asked)}\n`);
    return 0;
  }
  if (name === undefined) {
    // No command is a usage error: its text goes where errors go (Note [Streams]).
    io.stderr.write(`${generalHelp()}\n`);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${generalHelp()}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`lumen ${packageJson.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) return unknownCommand(name, io);
  const options = { ...command.options, ...GLOBAL_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      // parseArgs rejects unknown keys such as our `description`; pass only what it reads.
      options: Object.fromEntries(
        Object.entries(options).map(([key, spec]) => [key, { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // parseArgs stops at the first argument it cannot take: a value that looks like an option, or an "option" no name starts.
    const said = messageOf(error);
    const dashed = /argument is ambiguous|Unknown option '-(?![-A-Za-z])/.test(said) ? dashedWords(name, rest, options) : null;
    const problem = dashed ?? optionProblem(error, options);
    io.stderr.write(`lumen ${name}: ${problem}${/[.?]$/.test(problem) ? '' : '.'} See \`lumen ${name} --help\`.\n`);
    return EXIT_USAGE;
  }
  if (parsed.values['help']) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  if (command.args === '' && parsed.positionals.length > 0) {
    io.stderr.write(`lumen ${name}: takes no arguments, only options; "${parsed.positionals[0]}" is not one. See \`lumen ${name} --help\`.\n`);
    return EXIT_USAGE;
  }

  const amiss = askedAmiss(command, parsed, options);
  if (amiss) {
    io.stderr.write(`lumen ${name}: ${amiss}\n`);
    return EXIT_USAGE;
  }

  const log = (message: string) => io.stderr.write(`${message}\n`);
  const json = parsed.values['json'] === true;
  const controller = new AbortController();
  let engine: Engine | null = null;
  const context: CommandContext = {
    options: parsed.values as CommandContext['options'],
    positionals: parsed.positionals,
    json,
    dataDir: typeof parsed.values['data'] === 'string' ? parsed.values['data'] : defaultDataDir(),
    signal: controller.signal,
    log,
    engine: () => {
      if (!engine) {
        const provider = stringOption(context, 'provider');
        engine = new Engine({
          dataDir: context.dataDir,
          model: stringOption(context, 'model'),
          provider: provider === undefined ? undefined : parseProvider(provider),
          log,
          logProviderProbe: json ? () => {} : log,
          onEvent: progressPrinter(log),
        });
        // Asked to stop before the engine was made: no job of this run may start (Note [Ctrl-C]).
        if (controller.signal.aborted) void engine.jobs.stopAll();
      }
      return engine;
    },
  };
  // One Ctrl-C can come twice through tsx (Note [One press, sent twice] in interrupts.ts).
  const interrupt = stopSignalHandler({
    stop: (signal) => {
      log(`Stopping at the next checkpoint; what is done is kept. ${signal === 'SIGINT' ? 'Press Ctrl-C again' : `Send ${signal} again`} to quit at once.`);
      controller.abort();
      void (engine as Engine | null)?.jobs.stopAll();
    },
    quit: () => {
      // Without a word the quit looked like a crash: say that nothing stored is lost.
      log(`Quitting at once: what was already stored is kept; run \`lumen ${name}\` again to go on.`);
      process.exit(EXIT_INTERRUPTED);
    },
  });
  for (const signal of STOP_SIGNALS) process.on(signal, interrupt);
  let reported: UserErrorCode | null = null;
  let code: number;
  try {
    await command.check?.(context);
    const doing = command.writes?.(context);
    if (doing) {
      const wait = parsed.values['wait'] === true;
      // Without --wait, the lock's own advice (run again with --wait) is the CLI's.
      const hint = wait ? 'waiting for it to finish (Ctrl-C stops waiting)' : undefined;
      const idleHint = wait ? 'waiting for it to be closed (Ctrl-C stops waiting)' : undefined;
      // Given nothing to make it from (`index` with no FOLDER), the command needs a library as
      // every other writer does: refused before the claim makes the data folder and its lock.
      const creates = command.createsLibrary === true && context.positionals.length > 0;
      await context.engine().claimWriter(`\`lumen ${name}\``, doing, { wait, hint, idleHint, signal: controller.signal, onWait: (busy) => log(busy.message), creates });
    }
    const result = await command.run(context);
    io.stdout.write(json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
    code = result.incomplete === true ? EXIT_FAILURE : 0;
  } catch (thrown) {
    const error = actionableError(thrown);
    if (isUserError(error)) {
      reported = error.code;
      // Given --data, "or pass --data" would ask for what was done (Note [No library yet]).
      const said = typeof parsed.values['data'] === 'string' ? withoutDataAdvice(error.message) : error.message;
      io.stderr.write(`lumen ${name}: ${oneLine(said)}\n`);
      code = exitStatusOf(error);
    } else {
      const details = process.env['LUMEN_DEBUG'] && error instanceof Error ? `\n${error.stack}` : ' (set LUMEN_DEBUG=1 for details)';
      io.stderr.write(`lumen ${name}: unexpected error, please report it: ${messageOf(error)}${details}\n`);
      code = EXIT_FAILURE;
    }
  }
  const closed = await ((engine as Engine | null)?.dispose() ?? Promise.resolve()).then(
    () => true,
    (error: unknown) => {
      // The full disk was said once: what could not be put away on it after that follows from it
      // (the index not saved, or a write refused as SQLite's files could not grow).
      if (reported === 'disk-full') return false;
      // What a command changed is in SQLite, committed; the vector index, saved as the library
      // closes, is derived from it (Note [Derived data] in storage/vector-index.ts).
      if (isDiskFull(error)) log(`lumen ${name}: The disk is full: what this command did is saved, but the search index could not be put away; free some space (the next command brings it up to date).`);
      else log(`lumen ${name}: could not close the library cleanly: ${messageOf(error)}`);
      return false;
    },
  );
  // Only now: a signal while the library closes (its index being saved) is not a kill.
  for (const signal of STOP_SIGNALS) process.off(signal, interrupt);
  // Work done but not put away (the vector index not saved: a full disk) is no success.
  return code === 0 && !closed ? EXIT_FAILURE : code;
}

// Run when executed directly (tsx main/cli/index.ts, or the built CLI), not when imported by tests.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  // A reader that stops early (`lumen search … | head`) closes the pipe: the rest of the output
  // is not wanted, which is no failure, and the command still closes the library as usual. So for
  // stderr (`lumen index … 2>&1 | head -1`): progress nobody reads any more must not stop the run.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
  // Note [Where it was typed]: `npm run cli` runs the script in the package's folder, wherever it
  // was typed, and says where that was (INIT_CWD). A path on the command line (`similar
  // ./photo.jpg`, `index ../Pictures`) means the folder it was typed in, so the command runs there.
  const { INIT_CWD: typedIn, npm_lifecycle_event: script, npm_package_name: launchedBy } = process.env;
  if (typedIn && script === 'cli' && launchedBy === packageJson.name) process.chdir(typedIn);
  main(process.argv.slice(2))
    .then(
      (code) => (process.exitCode = code),
      (error: unknown) => {
        process.stderr.write(`lumen: ${messageOf(error)}\n`);
        process.exitCode = EXIT_FAILURE;
      },
    )
    .finally(exitWhenDone);
}

/** How long a finished command waits for what it left running to wind down by itself. */
const WIND_DOWN_MS = 2000;

/**
 * A finished command has written its answer and closed the library; a handle left open by
 * something under it (a timer, a worker) must not keep it running, or a script waiting on it
 * hangs (seen once in many runs of `status` beside an index run). It exits on its own as soon as
 * nothing is left; this timer, which itself keeps nothing alive, ends it otherwise.
 */
function exitWhenDone(): void {
  setTimeout(() => {
    if (process.env['LUMEN_DEBUG']) process.stderr.write(`lumen: still open after finishing: ${process.getActiveResourcesInfo().join(', ')}\n`);
    process.exit();
  }, WIND_DOWN_MS).unref();
}
