/**
 * Holds a data folder's writer lock until killed: `node --import tsx hold-writer-lock.ts DATA HOLDER`.
 * Prints "held" once it has the lock. For tests of a writer that dies holding it.
 */
import { WriterLock } from '../../main/storage/writer-lock.js';

const [dataDir, holder = 'a test'] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: hold-writer-lock.ts DATA [HOLDER]');
const lock = WriterLock.tryTake(dataDir, holder, 'indexing');
process.stdout.write(lock ? 'held\n' : 'busy\n');
if (lock) setInterval(() => {}, 60_000);
