import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module given by its import.meta.url. From TypeScript source (run with tsx), the
 * worker first registers tsx's loader: tsx does not register itself in worker threads on every Node version.
 */
export function spawnModuleWorker(moduleUrl: string, workerData: unknown): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(fileURLToPath(moduleUrl), { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = [
    `const { register } = await import(${JSON.stringify(tsxApi)});`,
    'register();',
    `await import(${JSON.stringify(moduleUrl)});`,
  ].join('\n');
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData });
}
