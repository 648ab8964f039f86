/**
 * Command-line interface over the same engine the desktop app uses: scripting, benchmarks and
 * headless use. `npm run -s cli -- <command> [options]`.
 *
 * Note [Streams]: results go to stdout (JSON with --json), progress and logs to stderr, so
 * `--json` output can always be piped into another program. Bad input exits with status 2 and
 * one line saying what to do; a failure of the work itself exits with 1.
 */
import '../core/threadpool.js';
import { parseArgs } from 'node:util';
import { UserError, isUserError, messageOf } from '../core/errors.js';
import { defaultDataDir } from '../core/paths.js';
import { benchEmbed } from './bench.js';
import type { Command, CommandContext, OptionSpec } from './command.js';
import { embedImage, embedText } from './embed.js';
import { index, search, similar } from './library.js';
import { models } from './models.js';
import { status } from './status.js';
import { TAG_COMMANDS } from './tags.js';

const COMMANDS: Command[] = [index, search, similar, status, models, embedText, embedImage, benchEmbed, ...TAG_COMMANDS];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print the result as JSON on stdout (progress stays on stderr)' },
  help: { type: 'boolean', short: 'h', description: 'describe the command' },
};

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

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
    'Run `lumen <command> --help` for a command’s options. Every command takes --json.',
  ].join('\n');
}

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${generalHelp()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`lumen: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See \`lumen --help\`.\n`);
    return EXIT_USAGE;
  }
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
    });
  } catch (error) {
    io.stderr.write(`lumen ${name}: ${messageOf(error)}. See \`lumen ${name} --help\`.\n`);
    return EXIT_USAGE;
  }
  if (parsed.values['help']) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  const context: CommandContext = {
    options: parsed.values as CommandContext['options'],
    positionals: parsed.positionals,
    json: parsed.values['json'] === true,
    dataDir: typeof parsed.values['data'] === 'string' ? parsed.values['data'] : defaultDataDir(),
    signal: controller.signal,
    log: (message) => io.stderr.write(`${message}\n`),
  };
  try {
    const result = await command.run(context);
    io.stdout.write(context.json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
    return 0;
  } catch (error) {
    if (isUserError(error)) {
      io.stderr.write(`lumen ${name}: ${error.message}\n`);
      if (error.code === 'cancelled') return EXIT_INTERRUPTED;
      return error.code === 'bad-input' ? EXIT_USAGE : EXIT_FAILURE;
    }
    io.stderr.write(`lumen ${name}: unexpected error, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

// Run when executed directly (tsx main/cli/index.ts, or the built CLI), not when imported by tests.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`lumen: ${error instanceof UserError ? error.message : String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
