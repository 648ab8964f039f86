/**
 * `npm run -s preview -- --data DIR [--model DIR|ID] [--folder PATH]... [--trash DIR] [--port N]`:
 * builds the renderer when it is missing or older than its sources (Note [Fresh preview] in
 * renderer-build.ts), forks the engine process with Node and serves the app on
 * 127.0.0.1 (see preview.ts); files "moved to the trash" go into the --trash folder. Prints one
 * line, `Lumen preview: http://127.0.0.1:PORT/?token=...`, then serves until killed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AppEvent } from '../../preload/contract.js';
import { forkEngine } from './preview-engine.js';
import { rendererBuildIsStale } from './renderer-build.js';
import { previewShell, startPreview } from './preview.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (message: string) => process.stderr.write(`${message}\n`);

async function buildRenderer(outDir: string): Promise<void> {
  const [{ build }, { rendererConfig }] = await Promise.all([import('vite'), import('../../electron.vite.config.js')]);
  await build({ ...rendererConfig, configFile: false, logLevel: 'warn', mode: 'production', build: { ...rendererConfig.build, outDir, emptyOutDir: true } });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, model: { type: 'string' }, folder: { type: 'string', multiple: true }, trash: { type: 'string' }, port: { type: 'string' }, rebuild: { type: 'boolean' } },
    strict: true,
  });
  if (!values.data) throw new Error('Give the data folder: --data DIR.');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port takes a port number, not "${values.port}".`);
  const rendererDir = path.join(root, 'out', 'renderer');
  if (values.rebuild || rendererBuildIsStale(root, rendererDir)) await buildRenderer(rendererDir);

  let broadcast: (event: AppEvent) => void = () => {};
  const engine = forkEngine({ dataDir: path.resolve(values.data as string), resourcesDir: path.join(root, 'resources'), model: values.model }, (event) => broadcast(event), log);
  const folders = (values.folder ?? []).map((folder) => path.resolve(folder));
  const server = await startPreview({ rendererDir, engine, shell: previewShell(folders, values.trash === undefined ? undefined : path.resolve(values.trash)), port, log });
  broadcast = server.broadcast;
  // Start the engine now, so the first page load does not wait for it.
  await engine.call('app.status', {}).catch(() => undefined);
  process.stdout.write(`Lumen preview: ${server.url}\n`);
  const stop = () => void Promise.all([server.close(), engine.shutdown()]).finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  log(`lumen preview: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
