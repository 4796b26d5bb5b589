import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * One stack per data directory: two LevelDB and s3rver instances on the same files would corrupt them (and
 * dynalite crashes the process when it finds the database locked). The lock file records who holds it: the
 * PID, the process's start time (Linux: /proc/<pid>/stat) and a random nonce. A PID alone is not enough: in a
 * container the restarted process often gets the dead one's PID, and any unrelated process may reuse it. So a
 * lock is live only if its PID runs and that process started when the lock says; the same PID as ours counts
 * only if this very process holds the directory (a registry in memory). Anything else is stale and taken over.
 */
export const LOCK_FILE = 'embedded.lock';

interface LockRecord {
  pid: number;
  /** Clock ticks since boot at which the process started (field 22 of /proc/<pid>/stat); absent off Linux. */
  startTime?: string;
  nonce?: string;
  host?: string;
}

/** Data directories locked by this process (resolved paths). */
const heldHere = new Set<string>();

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holder: 'this-process' | number,
  ) {
    super(
      holder === 'this-process'
        ? `the data directory ${dataDir} is in use by another stack in this process (lock file ${lockFile})`
        : `the data directory ${dataDir} is in use by another article-pipeline process (pid ${holder}, lock file ${lockFile}); ` +
            `stop it, or give another --data-dir (if no such process runs, delete ${lockFile})`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Takes the data directory's lock; resolves to its release. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const key = resolve(dataDir);
  const path = join(dataDir, LOCK_FILE);
  if (heldHere.has(key)) throw new DataDirLockedError(dataDir, path, 'this-process');
  const mine: LockRecord = {
    pid: process.pid,
    ...optional('startTime', processStartTime(process.pid)),
    nonce: randomUUID(),
    host: hostname(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      heldHere.add(key);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        heldHere.delete(key);
        // Only our own lock is removed: a lock another process took over after a mistake is left alone.
        const current = parseLock(await readFile(path, 'utf8').catch(() => ''));
        if (current?.nonce === mine.nonce) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = parseLock(await readFile(path, 'utf8').catch(() => ''));
      if (holder !== undefined && isLive(holder)) throw new DataDirLockedError(dataDir, path, holder.pid);
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not lock the data directory ${dataDir} (lock file ${path})`);
}

/** A lock file's record: JSON, or a bare PID as written by earlier versions. Undefined when unreadable. */
export function parseLock(text: string): LockRecord | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const record = JSON.parse(trimmed) as Partial<LockRecord>;
    if (!Number.isInteger(record.pid) || (record.pid as number) <= 0) return undefined;
    return record as LockRecord;
  } catch {
    return undefined;
  }
}

function isLive(holder: LockRecord): boolean {
  // Our PID, but this process does not hold it: the lock is a dead process's that had our PID (containers).
  if (holder.pid === process.pid) return false;
  if (holder.host !== undefined && holder.host !== hostname()) return true; // another machine: cannot tell
  if (!pidExists(holder.pid)) return false;
  // A running process with that PID: the holder only if it started when the lock says.
  const startTime = processStartTime(holder.pid);
  if (holder.startTime !== undefined && startTime !== undefined) return holder.startTime === startTime;
  return true;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's start time in clock ticks since boot (Linux), or undefined where /proc is not available. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' start at 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[22 - 3];
  } catch {
    return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
