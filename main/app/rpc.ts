/**
 * The request/response protocol between the main process and the engine's utility process.
 *
 *   main -> engine   { id, name, params }
 *   engine -> main   { id, ok: true, value } | { id, ok: false, error: { code, message } }
 *   engine -> main   { event }                  (an AppEvent, relayed to every window)
 *
 * Note [Engine restarts]: when the engine process exits, every call still waiting on it fails
 * with a message that says what to do, and the next call starts a fresh process. Nothing here
 * imports Electron: the ports are small interfaces that Electron's UtilityProcess and
 * `process.parentPort` fit (and Node's child processes, for preview mode), and that tests fake.
 *
 * Note [Checked on arrival]: every message is checked by the side that receives it. The engine
 * checks a request's shape, that it names a call of its table and that the params pass that
 * call's schema; the main process checks a response's shape and every event against the
 * contract's event schema. Results are the engine's own values, checked in shape only.
 */
import { z } from 'zod';
import { eventSchema, type AppEvent, type CallError, type EngineStatus, type JobInfo } from '../../preload/contract.js';
import { DOWNLOADED_ADVICE, OTHER_LIBRARY_ADVICE, PROVIDER_ADVICE, READ_ONLY_LIBRARY_ADVICE, UNREADABLE_DATA_ADVICE, WRITABLE_DATA_ADVICE } from '../core/cli-advice.js';
import { INDEX_WITH_MODEL_ADVICE, isUserError, messageOf } from '../core/errors.js';
import { NO_LIBRARY_MESSAGE } from '../engine/no-library.js';
import { RESTORE_ADVICE, actionableError } from '../storage/damage.js';

const requestSchema = z.object({ id: z.number().int().nonnegative(), name: z.string().min(1).max(100), params: z.unknown() }).strict();
const errorSchema = z.object({ code: z.string().max(100), message: z.string().max(20_000) }).strict();
const responseSchema = z.union([
  z.object({ id: z.number().int().nonnegative(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ id: z.number().int().nonnegative(), ok: z.literal(false), error: errorSchema }).strict(),
]);
const eventMessageSchema = z.object({ event: eventSchema }).strict();

export type RpcRequest = z.infer<typeof requestSchema>;
export type RpcResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: CallError };

export interface RpcEventMessage {
  event: AppEvent;
}

/** A failed call with a code and a message meant for a person. */
export class CallFailure extends Error {
  override readonly name = 'CallFailure';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Note [App wording]: the engine's messages are the CLI's and the app's alike, and where they
 * say what to do about a damaged library they name what a person runs in a terminal. In the app,
 * the app itself restores it when it starts again. Whatever the window shows of the engine's
 * errors comes through here, a call's error (toCallError) or a job's (serveRpc's events), so the
 * app's words are put in here. So too for a data folder without a library (Note [No library
 * yet]): the CLI's advice names a command and a flag, the app's where to add a folder; and for
 * each other piece of advice that names a flag or a command (a provider that cannot run, a data
 * folder that cannot be read, a models folder that cannot be written, a download another process
 * holds, another library, a model folder gone, a model that embedded no photo).
 */
const APP_RESTORE_ADVICE = 'restart Lumen to restore your folders, tags, albums and vocabulary from what still reads of it and the last backup (the damaged file is kept)';
const APP_NO_LIBRARY = 'There are no photos yet. Add a folder of photos first: go to Library and choose “Add a folder…”.';

/** Each piece of the CLI's advice, and the app's words for it. */
const IN_APP_WORDS: ReadonlyArray<readonly [string | RegExp, string]> = [
  [RESTORE_ADVICE, APP_RESTORE_ADVICE],
  [NO_LIBRARY_MESSAGE, APP_NO_LIBRARY],
  [PROVIDER_ADVICE, 'Choose “Automatic” or “CPU” under “Run models on” in Settings.'],
  [WRITABLE_DATA_ADVICE, 'Lumen keeps its models in its data folder, which must be on a disk it can write to.'],
  [DOWNLOADED_ADVICE, 'then it shows in Settings as installed'],
  [OTHER_LIBRARY_ADVICE, ''],
  [READ_ONLY_LIBRARY_ADVICE, 'its photos can still be searched and browsed, but not changed; to change the library, copy Lumen’s data folder to a writable disk'],
  [UNREADABLE_DATA_ADVICE, 'Lumen keeps its library there: fix the permissions so that it may read it.'],
  // The model chosen in Settings is a folder, or a catalogue model once downloaded (models/store.ts).
  [/No model folder or catalogue model named "(.*)"\. See `lumen models list`\./, 'The model "$1" is not installed (its folder is gone, or it was never downloaded): pick a model or download one in Settings.'],
  [INDEX_WITH_MODEL_ADVICE, 'Add a folder of photos, or let indexing finish, in Settings › Photo folders.'],
  [/No model is installed\. Run `lumen models download [^`]+`, or pass --model DIR\./, 'No model is installed yet: download one, or import a model folder you have, in Settings.'],
  [/Model (\S+) is not installed\. Run `lumen models download \S+` first\./, 'The model $1 is not installed: download it in Settings, or choose another there.'],
  [/Give its folder where it is now \(--model FOLDER\), or install a model \(see `lumen models list`\)\./, 'Put that folder back, or choose or download another model in Settings.'],
  [/; choose one with --model\./, '; choose the one Lumen should use in Settings.'],
];

/** `message` as the app says it (Note [App wording]). */
function inAppWords(message: string): string {
  return IN_APP_WORDS.reduce((said, [cli, app]) => said.replace(cli, app), message);
}

/** `job` with its error in the app's words (Note [App wording]). */
function jobInAppWords(job: JobInfo): JobInfo {
  return job.error === null ? job : { ...job, error: inAppWords(job.error) };
}

/** `event` with a job's error in the app's words (Note [App wording]). */
function eventInAppWords(event: AppEvent): AppEvent {
  return event.type === 'job' ? { ...event, job: jobInAppWords(event.job) } : event;
}

/**
 * The answer to the call `name` with the errors of the jobs it carries in the app's words (Note
 * [App wording]): a window opened after a job failed reads that job in the status, and read the
 * CLI's advice ("`status` still works…, or pass another --data").
 */
function resultInAppWords(name: string, value: unknown): unknown {
  if (name === 'app.status') {
    const status = value as EngineStatus;
    return { ...status, jobs: status.jobs.map(jobInAppWords) };
  }
  return name === 'jobs.pause' || name === 'jobs.resume' || name === 'jobs.cancel' ? jobInAppWords(value as JobInfo) : value;
}

/**
 * The error a person sees for anything thrown while serving a call: a UserError or CallFailure
 * keeps its code and message (in the app's words); anything else is a bug, logged, and shown as
 * `internal`.
 */
export function toCallError(thrown: unknown, log: (message: string) => void, context: string): CallError {
  const error = actionableError(thrown);
  if (isUserError(error) || error instanceof CallFailure) return { code: error.code, message: inAppWords(error.message) };
  log(`${context} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return { code: 'internal', message: `Something went wrong: ${messageOf(error)}` };
}

// ---------------------------------------------------------------------------------------------
// Main-process side

/** What the main process needs of a child process; Electron's UtilityProcess fits. */
export interface ChildPort {
  postMessage(message: RpcRequest): void;
  onMessage(listener: (message: unknown) => void): void;
  /** `signal` where the process was stopped by one and says so (Node's child processes; Electron's give a code alone). */
  onExit(listener: (code: number | null, signal?: NodeJS.Signals | null) => void): void;
  kill(): void;
}

/** Call name -> parameter and result types. */
export type CallTable = Record<string, { params: unknown; result: unknown }>;

interface Pending {
  child: ChildPort;
  name: string;
  resolve: (value: unknown) => void;
  reject: (error: CallFailure) => void;
}

export interface RpcClientOptions {
  onEvent: (event: AppEvent) => void;
  log: (message: string) => void;
}

/** Each kind of job in the words `crashMessage` says it with. */
const JOB_WORDS: Record<JobInfo['kind'], string> = { index: 'indexing', download: 'downloading a model', tag: 'tagging', export: 'writing XMP sidecars', duplicates: 'finding duplicates', ocr: 'reading text in photos' };

/**
 * What a call was doing, in the words `crashMessage` says it with: by its name, else by the part
 * before its dot. A call's name is the program's, never said to a person.
 */
const CALL_WORDS: Record<string, string> = {
  search: 'searching',
  photos: 'showing photos',
  'photos.details': 'reading a photo’s details',
  'photos.text': 'reading a photo’s text',
  library: 'working on the library',
  'library.index': 'indexing',
  'library.readText': 'reading text in photos',
  tags: 'working on tags',
  vocabulary: 'working on the vocabulary',
  albums: 'working on albums',
  models: 'working on models',
  'models.download': 'downloading a model',
  settings: 'saving settings',
  xmp: 'writing XMP sidecars',
  duplicates: 'finding duplicates',
};

function callWords(name: string): string | null {
  return CALL_WORDS[name] ?? CALL_WORDS[name.split('.', 1)[0] as string] ?? null;
}

/** How a process ended, for a person: its exit code, or the signal that stopped it. */
function howItEnded(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `it was stopped by ${signal}` : `exit code ${code ?? 'unknown'}`;
}

/** What to say of the engine stopping while `doing` (null: nothing a person would know by name). */
export function crashMessage(doing: string | null, code: number | null, signal: NodeJS.Signals | null = null): string {
  return (
    `The photo engine stopped unexpectedly (${howItEnded(code, signal)}) while ${doing ?? 'working'}. ` +
    'Try again: it restarts by itself. If it keeps happening, choose "CPU" under "Run models on" or pick another model.'
  );
}

/**
 * Note [Jobs outlive no engine]: the window learns how a job ends only from the engine's events.
 * An engine process that dies sends none, so the main process keeps the last word on each job
 * still under way, and says for each that it failed, and why, once the process is gone.
 */
export class RpcClient<Calls extends CallTable> {
  private child: ChildPort | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The jobs the engine process now running said are under way, by id (Note [Jobs outlive no engine]). */
  private readonly jobsUnderWay = new Map<string, JobInfo>();

  constructor(
    private readonly spawn: () => ChildPort,
    private readonly options: RpcClientOptions,
  ) {}

  /** Whether a child process is running now. */
  get running(): boolean {
    return this.child !== null;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  call<N extends keyof Calls & string>(name: N, params: Calls[N]['params']): Promise<Calls[N]['result']> {
    const started = this.startedChild();
    if ('error' in started) {
      return Promise.reject(new CallFailure('engine-unavailable', `The photo engine could not start (${messageOf(started.error)}). Restart Lumen and try again.`));
    }
    const { child } = started;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { child, name, resolve: resolve as (value: unknown) => void, reject });
      try {
        child.postMessage({ id, name, params });
      } catch (error) {
        this.pending.delete(id);
        reject(new CallFailure('engine-unavailable', `The photo engine did not take the request (${messageOf(error)}). Try again.`));
      }
    });
  }

  /** Starts the child now, when none runs, rather than at the first call (Note [Engine at launch] in index.ts). */
  start(): void {
    this.startedChild();
  }

  /** The child, started when none runs; what stopped it from starting is logged. */
  private startedChild(): { child: ChildPort } | { error: unknown } {
    try {
      return { child: this.ensureChild() };
    } catch (error) {
      this.options.log(`Could not start the engine process: ${messageOf(error)}`);
      return { error };
    }
  }

  /** Stops the child: fails what is pending and kills it. The next call starts a new one. */
  stop(): void {
    const child = this.child;
    if (!child) return;
    this.handleExit(child, 0, null, 'The photo engine was stopped before it answered. Try again.');
    child.kill();
  }

  private ensureChild(): ChildPort {
    if (this.child) return this.child;
    const child = this.spawn();
    child.onMessage((message) => this.handleMessage(child, message));
    child.onExit((code, signal) => this.handleExit(child, code, signal ?? null));
    this.child = child;
    return child;
  }

  private handleMessage(child: ChildPort, message: unknown): void {
    if (typeof message === 'object' && message !== null && 'event' in message) {
      const event = eventMessageSchema.safeParse(message);
      if (event.success && child === this.child) this.noteJob(event.data.event as AppEvent);
      if (event.success) this.options.onEvent(event.data.event as AppEvent);
      else this.options.log(`Dropped a malformed event from the engine: ${event.error.issues[0]?.message ?? 'invalid'}.`);
      return;
    }
    const parsed = responseSchema.safeParse(message);
    const id = (message as { id?: unknown } | null)?.id;
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!pending || pending.child !== child) return;
    this.pending.delete(id as number);
    if (!parsed.success) {
      this.options.log(`The engine sent a malformed answer to "${pending.name}".`);
      pending.reject(new CallFailure('internal', 'The photo engine sent a malformed answer. Try again.'));
    } else if (parsed.data.ok) pending.resolve(parsed.data.value);
    else pending.reject(new CallFailure(parsed.data.error.code, parsed.data.error.message));
  }

  private noteJob(event: AppEvent): void {
    if (event.type !== 'job') return;
    if (event.job.state === 'running' || event.job.state === 'paused') this.jobsUnderWay.set(event.job.id, event.job);
    else this.jobsUnderWay.delete(event.job.id);
  }

  private handleExit(child: ChildPort, code: number | null, signal: NodeJS.Signals | null, message?: string): void {
    if (this.child !== child) return;
    this.child = null;
    if (message === undefined) this.options.log(signal ? `Engine process was stopped by ${signal}.` : `Engine process exited with code ${code ?? 'unknown'}.`);
    for (const [id, pending] of this.pending) {
      if (pending.child !== child) continue;
      this.pending.delete(id);
      pending.reject(new CallFailure('engine-crashed', message ?? crashMessage(callWords(pending.name), code, signal)));
    }
    const ended = [...this.jobsUnderWay.values()];
    this.jobsUnderWay.clear();
    for (const job of ended) this.options.onEvent({ type: 'job', job: { ...job, state: 'failed', error: message ?? crashMessage(JOB_WORDS[job.kind], code, signal) } as JobInfo });
  }
}

// ---------------------------------------------------------------------------------------------
// Engine-process side

/** What the engine process needs of its parent port; `process.parentPort` fits via an adapter. */
export interface ParentPort {
  postMessage(message: RpcResponse | RpcEventMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Each call's params schema and its handler. */
export type Methods = Record<string, (params: never) => unknown>;
export type ParamSchemas = Record<string, z.ZodType>;

/**
 * Answers requests arriving on `port` with `methods`, each request checked first (Note [Checked
 * on arrival]); returns the function that posts events.
 */
export function serveRpc(port: ParentPort, methods: Methods, schemas: ParamSchemas, log: (message: string) => void): (event: AppEvent) => void {
  port.onMessage((message) => {
    const request = requestSchema.safeParse(message);
    if (!request.success) {
      log('Engine process ignored a malformed message.');
      return;
    }
    const { id, name, params } = request.data;
    void (async () => {
      try {
        if (!Object.hasOwn(methods, name) || !Object.hasOwn(schemas, name)) throw new CallFailure('bad-input', `Unknown engine call "${name}".`);
        const checked = (schemas[name] as z.ZodType).safeParse(params ?? {});
        if (!checked.success) throw new CallFailure('bad-input', `Invalid request for ${name}: ${describeIssues(checked.error)}.`);
        const method = methods[name] as (params: unknown) => unknown;
        port.postMessage({ id, ok: true, value: resultInAppWords(name, await method(checked.data)) });
      } catch (error) {
        port.postMessage({ id, ok: false, error: toCallError(error, log, name) });
      }
    })();
  });
  return (event) => port.postMessage({ event: eventInAppWords(event) });
}

/** How many of a failed parse's issues a message lists, and how much of each path or message. */
const ISSUES_SHOWN = 3;
const ISSUE_PART_CHARS = 120;

/**
 * `path: message; ...` of a failed parse, for a person (and a developer) to read. Kept short
 * whatever arrived: paths and messages may echo the payload (an unknown key is quoted), so each
 * is clipped and only the first few issues are listed.
 */
export function describeIssues(error: z.ZodError): string {
  const clip = (part: string) => (part.length > ISSUE_PART_CHARS ? `${part.slice(0, ISSUE_PART_CHARS)}…` : part);
  const shown = error.issues.slice(0, ISSUES_SHOWN).map((issue) => `${clip(issue.path.join('.') || 'params')}: ${clip(issue.message)}`);
  const more = error.issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}
