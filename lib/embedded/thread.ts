import { fileURLToPath } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * V8 grows a heap lazily up to a limit sized from the machine's memory; the helper threads need far less, and a
 * cap makes them collect garbage instead of holding on to it (peak RSS is what the benchmark reports).
 */
export const DEFAULT_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 128 };

/**
 * Starts a worker thread on a module given by its import.meta.url. From TypeScript source (run with tsx), the
 * worker first registers tsx's loader: tsx does not register itself in worker threads on every Node version.
 */
export function spawnModuleWorker(
  moduleUrl: string,
  workerData: unknown,
  resourceLimits: ResourceLimits = DEFAULT_WORKER_LIMITS,
): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(fileURLToPath(moduleUrl), { workerData, resourceLimits });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = [
    `const { register } = await import(${JSON.stringify(tsxApi)});`,
    'register();',
    `await import(${JSON.stringify(moduleUrl)});`,
  ].join('\n');
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
    workerData,
    resourceLimits,
  });
}
