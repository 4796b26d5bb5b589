import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../lib/config.ts';
import { scheduledEvent } from '../../lib/handlers/crawl.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { sqsEvent } from './helpers.ts';

// The Lambda entry points, configured only through the environment (lib/config.ts ENV), as in AWS. Imported
// after the log level is set: their loggers are made at module load, as in a Lambda cold start.
process.env[ENV.logLevel] = 'SILENT';
const { handler: crawlHandler } = await import('../../lambdas/crawl.ts');
const { handler: ingestHandler } = await import('../../lambdas/ingest.ts');
useLocalServers({ setProcessEnv: true });
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in saved)) saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    delete saved[name];
  }
});

describe('lambdas', () => {
  it('ingest names the missing variable instead of failing obscurely', async () => {
    const bucket = process.env[ENV.bucketName];
    setEnv({ [ENV.bucketName]: undefined, [ENV.eventBusName]: 'articles' });
    await expect(ingestHandler(sqsEvent(['{}']))).rejects.toThrow(
      `missing environment variable ${ENV.bucketName}`,
    );
    expect(bucket).toBeTruthy();
  });

  it('ingest, built from the environment, acknowledges a malformed record without retrying it', async () => {
    setEnv({ [ENV.eventBusName]: 'articles', [ENV.logLevel]: 'SILENT' });
    // The handler's metrics go to stdout as EMF lines (what Lambda ships to CloudWatch): captured here, so the
    // failure's metric is checked and not printed among the test output.
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await expect(ingestHandler(sqsEvent(['not json']))).resolves.toEqual({ batchItemFailures: [] });
    } finally {
      write.mockRestore();
    }
    const metrics = lines.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"'));
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toContain('BAD_REQUEST');
  });

  it('crawl names a missing queue variable; with both, a schedule over an empty registry queues nothing', async () => {
    setEnv({ [ENV.ingestQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/ingest' });
    setEnv({ [ENV.crawlQueueUrl]: undefined });
    await expect(crawlHandler(scheduledEvent(new Date()))).rejects.toThrow(
      `missing environment variable ${ENV.crawlQueueUrl}`,
    );
    setEnv({ [ENV.crawlQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/crawl' });
    await expect(crawlHandler(scheduledEvent(new Date()))).resolves.toEqual({ queued: 0, lostClaims: 0 });
  });
});
