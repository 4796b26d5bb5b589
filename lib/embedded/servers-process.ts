// Runs startLocalServers (lib/embedded/servers.ts) in a child process: the S3/DynamoDB stand-ins (s3rver, dynalite
// and its LevelDB) then keep their memory out of the pipeline's process, as the real services do in AWS, so a
// benchmark can report the pipeline's peak RSS and the servers' apart (bench:crawl).
import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type LocalServers, type LocalServersOptions, startLocalServers } from './servers.ts';

type Ready = Omit<LocalServers, 'stop'>;
type FromChild =
  | { type: 'ready'; servers: Ready }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/** The servers in a child process, with its pid (for its memory: processMemory). */
export interface LocalServersProcess extends LocalServers {
  pid: number;
}

const CHILD_ROLE_ARG = '--local-servers-child';

export async function startLocalServersProcess(
  options: LocalServersOptions = {},
): Promise<LocalServersProcess> {
  const path = fileURLToPath(import.meta.url);
  // From TypeScript source the child needs tsx's loader, as the parent had.
  const child: ChildProcess = fork(path, [CHILD_ROLE_ARG, JSON.stringify(options)], {
    execArgv: path.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') resolve(message.servers);
      else if (message.type === 'failed')
        reject(new Error(`local servers failed to start: ${message.message}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`local servers process exited with code ${code}`)));
  });
  let stopped: Promise<void> | undefined;
  return {
    ...ready,
    pid: child.pid as number,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.send('stop');
      });
      return stopped;
    },
  };
}

/** A process's resident memory now and at its peak (Linux /proc; undefined elsewhere), in bytes. */
export async function processMemory(pid: number): Promise<{ rss: number; peakRss: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kb('VmRSS');
    const peakRss = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(peakRss)
      ? { rss: rss * 1024, peakRss: peakRss * 1024 }
      : undefined;
  } catch {
    return undefined;
  }
}

// Only in a child started for this purpose: the module is imported by its parent too.
if (process.argv[2] === CHILD_ROLE_ARG && process.send !== undefined) {
  const send = (message: FromChild) => process.send?.(message);
  try {
    const servers = await startLocalServers(JSON.parse(process.argv[3] ?? '{}') as LocalServersOptions);
    const { stop, ...ready } = servers;
    process.on('message', (message: unknown) => {
      if (message !== 'stop') return;
      void stop().finally(() => {
        send({ type: 'stopped' });
        process.disconnect();
      });
    });
    // The parent died without stopping us: stop too (its data directory lock is gone with it).
    process.once('disconnect', () => void stop().finally(() => process.exit(0)));
    send({ type: 'ready', servers: ready });
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.disconnect();
  }
}
