// Runs startLocalServers (lib/embedded/servers.ts) on a worker thread, so the S3/DynamoDB stand-ins use the
// second core instead of competing with the handlers for one event loop (as the real services would not).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type LocalServers, type LocalServersOptions, startLocalServers } from './servers.ts';
import { spawnModuleWorker } from './thread.ts';

type Ready = Omit<LocalServers, 'stop'>;
type FromWorker =
  | { type: 'ready'; servers: Ready }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

export async function startLocalServersThread(options: LocalServersOptions = {}): Promise<LocalServers> {
  const worker = spawnModuleWorker(import.meta.url, { role: WORKER_ROLE, options });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type === 'ready') resolve(message.servers);
      else if (message.type === 'failed')
        reject(new Error(`local servers failed to start: ${message.message}`));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`local servers thread exited with code ${code}`)));
  });
  let stopped: Promise<void> | undefined;
  return {
    ...ready,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'stopped') void worker.terminate().then(() => resolve());
        });
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}

const WORKER_ROLE = 'local-servers';

// Only in a worker started for this purpose: other workers may import this module too.
const data = workerData as { role?: string; options?: LocalServersOptions } | undefined;
if (!isMainThread && parentPort && data?.role === WORKER_ROLE) {
  const port = parentPort;
  try {
    const servers = await startLocalServers(data.options ?? {});
    const { stop, ...ready } = servers;
    port.on('message', (message: unknown) => {
      if (message === 'stop')
        void stop().finally(() => port.postMessage({ type: 'stopped' } satisfies FromWorker));
    });
    port.postMessage({ type: 'ready', servers: ready } satisfies FromWorker);
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
    } satisfies FromWorker);
  }
}
