/**
 * What happens to each call from the renderer before it reaches a handler: the sender is checked
 * (the top frame of one of the app's windows, showing the app's own origin), the name must be a
 * call of the contract and the params must pass its schema. Handlers' results come back as
 * `{ ok: true, value }`; their errors as `{ ok: false, error: { code, message } }`. No Electron
 * here: ipc.ts turns an IpcMainInvokeEvent into a `SenderInfo`.
 */
import path from 'node:path';
import { z } from 'zod';
import { callSchemas, type CallError, type CallName, type CallOutcome, type CallResults } from '../../preload/contract.js';
import { MAX_FOLDERS_ADDED } from '../../preload/limits.js';
import { describeIssues, toCallError } from './rpc.js';

export interface SenderInfo {
  /** URL of the frame that sent the call; null when the frame is gone. */
  url: string | null;
  /** The frame is the top frame of its page (not an iframe). */
  isTopFrame: boolean;
  /** The page belongs to one of the app's own windows. */
  fromAppWindow: boolean;
}

/**
 * `scheme://host[:port]` of a URL, also for custom schemes (where `URL.origin` is "null"); null
 * for URLs without a host or with credentials.
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (!parsed.host || parsed.username || parsed.password) return null;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export function isTrustedSender(sender: SenderInfo, allowedOrigins: readonly string[]): boolean {
  if (!sender.fromAppWindow || !sender.isTopFrame || sender.url === null) return false;
  const origin = originOf(sender.url);
  return origin !== null && allowedOrigins.includes(origin);
}

export type ParsedParams<N extends CallName> = z.output<(typeof callSchemas)[N]>;

export type CallHandlers = { [N in CallName]: (params: ParsedParams<N>) => Promise<CallResults[N]> };

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(callSchemas, name);
}

function fail(code: string, message: string): { ok: false; error: CallError } {
  return { ok: false, error: { code, message } };
}

/** Paths of folders dropped on the window, as the preload sends them (Note [Dropped folders]). */
const droppedPaths = z.array(z.string().min(1).max(4096).refine((value) => path.isAbsolute(value), 'must be an absolute path')).min(1).max(MAX_FOLDERS_ADDED);

export class CallRouter {
  constructor(
    private readonly handlers: CallHandlers,
    private readonly allowedOrigins: readonly string[],
    private readonly log: (message: string) => void,
    private readonly addFolders?: (paths: string[]) => Promise<CallResults['library.addFromDialog']>,
  ) {}

  /** Folders dropped on the window: checked like a call, then added. */
  async handleDropped(sender: SenderInfo, paths: unknown): Promise<CallOutcome<'library.addFromDialog'>> {
    if (!isTrustedSender(sender, this.allowedOrigins) || !this.addFolders) {
      this.log(`Refused dropped folders from an untrusted sender (${sender.url ?? 'no frame'}).`);
      return fail('forbidden', 'This page may not use Lumen.');
    }
    const parsed = droppedPaths.safeParse(paths);
    if (!parsed.success) return fail('bad-input', 'Drop folders of photos from your computer here.');
    try {
      return { ok: true, value: await this.addFolders(parsed.data) };
    } catch (error) {
      return { ok: false, error: toCallError(error, this.log, 'dropped folders') };
    }
  }

  async handle(sender: SenderInfo, request: unknown): Promise<CallOutcome<CallName>> {
    if (!isTrustedSender(sender, this.allowedOrigins)) {
      this.log(`Refused a call from an untrusted sender (${sender.url ?? 'no frame'}).`);
      return fail('forbidden', 'This page may not use Lumen.');
    }
    const { name, params } = (typeof request === 'object' && request !== null ? request : {}) as { name?: unknown; params?: unknown };
    if (!isCallName(name)) return fail('bad-input', `Unknown call ${JSON.stringify(String(name))}.`);
    const parsed = callSchemas[name].safeParse(params ?? {});
    if (!parsed.success) return fail('bad-input', `Invalid request for ${name}: ${describeIssues(parsed.error)}.`);
    const handler = this.handlers[name] as (params: unknown) => Promise<unknown>;
    try {
      const value = await handler(parsed.data);
      return { ok: true, value } as CallOutcome<CallName>;
    } catch (error) {
      return { ok: false, error: toCallError(error, this.log, name) };
    }
  }
}
