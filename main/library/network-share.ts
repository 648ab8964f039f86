/**
 * Which library folders lie on a network share. Their changes made elsewhere are not reported to
 * a watch (Note [Looked over where not watched] in watcher.ts), and a share whose server is gone
 * can leave a file-system call waiting for minutes, or for ever on a hard NFS mount (Note [Stats
 * on a network share] in scan.ts).
 */
import { statfs } from 'node:fs/promises';

/** `statfs` types of network file systems on Linux: NFS, SMB, CIFS, SMB2, 9P, Ceph, AFS. */
const NETWORK_FILE_SYSTEMS: ReadonlySet<number> = new Set([0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x01021997, 0x00c36400, 0x5346414f]);

/** Whether `dir` is on a network share; told on Linux only (elsewhere, false). */
export async function onNetworkShare(dir: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  const info = await statfs(dir).catch(() => null);
  return info !== null && NETWORK_FILE_SYSTEMS.has(info.type);
}
