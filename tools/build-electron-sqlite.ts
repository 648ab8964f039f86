/**
 * Builds better-sqlite3 for the installed Electron next to Node's build (Note [Two ABIs] in
 * main/app/sqlite-binding.ts). Runs after `npm install` and before `npm start`; does nothing
 * when the build is there already or Electron's binary was not installed (CI, this project's
 * test machines). Any other failure is reported and, after install, does not fail npm itself:
 * the app then says what is missing when it starts.
 *
 *   tsx tools/build-electron-sqlite.ts [--required]
 */
import { cp, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronSqliteBinding } from '../main/app/sqlite-binding.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const required = process.argv.includes('--required');

function electronInstalled(): string | null {
  const pkg = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(pkg, 'path.txt'))) return null;
  return (JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

async function build(version: string, target: string): Promise<void> {
  const { rebuild } = await import('@electron/rebuild');
  const work = await mkdtemp(path.join(os.tmpdir(), 'lumen-electron-sqlite-'));
  try {
    await writeFile(path.join(work, 'package.json'), JSON.stringify({ name: 'lumen-electron-sqlite', version: '1.0.0', dependencies: { 'better-sqlite3': '*' } }));
    // Without the package's own build/ (Node's addon), wherever the project is (a path of the project's own, such as ~/build/lumen, is no reason to leave a file out).
    const source = path.join(root, 'node_modules', 'better-sqlite3');
    await cp(source, path.join(work, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (file) => path.relative(source, file).split(path.sep)[0] !== 'build' });
    for (const dependency of ['bindings', 'file-uri-to-path']) {
      const from = path.join(root, 'node_modules', dependency);
      if (existsSync(from)) await cp(from, path.join(work, 'node_modules', dependency), { recursive: true });
    }
    // @electron/rebuild fetches Electron's prebuilt addon with prebuild-install, looked for beside
    // the copy: linked there, the build is a download, and a compile (Python 3 and a C++
    // compiler) only where no prebuilt addon can be had.
    const prebuildInstall = path.join(root, 'node_modules', 'prebuild-install');
    if (existsSync(prebuildInstall)) await symlink(prebuildInstall, path.join(work, 'node_modules', 'prebuild-install'), 'junction');
    await rebuild({ buildPath: work, electronVersion: version, onlyModules: ['better-sqlite3'], force: true });
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const version = electronInstalled();
if (!version) {
  const message = required
    ? "Electron's binary is not installed (was npm install run with ELECTRON_SKIP_BINARY_DOWNLOAD=1?). Run `node node_modules/electron/install.js` with a network connection, then `npm start` again."
    : "Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): skipping its database module. The tests and the CLI do not need it.";
  process.stderr.write(`lumen: ${message}\n`);
  process.exitCode = required ? 1 : 0;
} else {
  const target = electronSqliteBinding(root, version);
  if (existsSync(target)) process.exitCode = 0;
  else {
    process.stderr.write(`lumen: building better-sqlite3 for Electron ${version} ...\n`);
    build(version, target).then(
      () => process.stderr.write(`lumen: wrote ${path.relative(root, target)}\n`),
      (error: unknown) => {
        process.stderr.write(`lumen: could not build better-sqlite3 for Electron ${version}: ${error instanceof Error ? error.message : String(error)}. Run \`npm run rebuild:electron\` with a network connection.\n`);
        process.exitCode = required ? 1 : 0;
      },
    );
  }
}
