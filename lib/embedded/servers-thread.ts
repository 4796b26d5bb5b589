// Runs startLocalServers (lib/embedded/servers.ts) on a worker thread, so the S3/DynamoDB stand-ins use the
// second core instead of competing with the handlers for one event loop (as the real services would not).
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type LocalServers, type LocalServersOptions, startLocalServers } from './servers.ts';

type Ready = Omit<LocalServers, 'stop'>;
type FromWorker =
  | { type: 'ready'; servers: Ready }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

export async function startLocalServersThread(options: LocalServersOptions = {}): Promise<LocalServers> {
  const worker = spawnWorker(options);
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

/**
 * Runs this very module on a worker. From TypeScript source (tsx), the worker first registers tsx's loader:
 * tsx does not register itself in worker threads on every Node version.
 */
function spawnWorker(options: LocalServersOptions): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(fileURLToPath(import.meta.url), { workerData: options });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = [
    `const { register } = await import(${JSON.stringify(tsxApi)});`,
    'register();',
    `await import(${JSON.stringify(import.meta.url)});`,
  ].join('\n');
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
    workerData: options,
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  try {
    const servers = await startLocalServers(workerData as LocalServersOptions);
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
