// Development and tests only (Note [Thread entries] in worker-thread.ts): a worker thread whose
// entry is TypeScript registers tsx's loader, which a worker does not inherit, then imports it.
// A file, not code evaluated in place: usearch cannot find its native build from evaluated code.
import { register } from 'tsx/esm/api';
import { argv } from 'node:process';

register();
await import(argv[2]);
