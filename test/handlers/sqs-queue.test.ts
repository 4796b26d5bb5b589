import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsIngestQueue } from '../../lib/queue/sqs.ts';
import { IngestMessage } from '../../lib/queue/types.ts';

/**
 * A loopback stand-in for the SQS JSON API, enough for SendMessageBatch: it records every request and answers
 * with the failures a test scripts, so the real SDK client (and its MD5 checks) is exercised end to end.
 */
interface Entry {
  Id: string;
  MessageBody: string;
  DelaySeconds?: number;
}
let server: Server;
let endpoint: string;
const requests: Entry[][] = [];
let failNext: Array<{ match: (body: string) => boolean; senderFault: boolean }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (!target.endsWith('SendMessageBatch')) {
        response.writeHead(400).end();
        return;
      }
      const entries = (JSON.parse(raw) as { Entries: Entry[] }).Entries;
      requests.push(entries);
      const failed: Array<Record<string, unknown>> = [];
      const successful: Array<Record<string, unknown>> = [];
      for (const entry of entries) {
        const rule = failNext.find((candidate) => candidate.match(entry.MessageBody));
        if (rule) {
          failNext = failNext.filter((candidate) => candidate !== rule);
          failed.push({
            Id: entry.Id,
            SenderFault: rule.senderFault,
            Code: rule.senderFault ? 'InvalidMessageContents' : 'InternalError',
            Message: 'scripted',
          });
        } else {
          successful.push({
            Id: entry.Id,
            MessageId: `m-${entry.Id}`,
            MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
          });
        }
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ Successful: successful, Failed: failed }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests.length = 0;
  failNext = [];
});

const client = () =>
  new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/ingest';
const messages = (count: number) =>
  Array.from({ length: count }, (_, n) => ({
    url: `https://news.example/story/${n}`,
    discoveredAt: '2026-01-01T00:00:00.000Z',
  }));

describe('SqsIngestQueue', () => {
  it('sends messages in SendMessageBatch requests of at most 10, bodies valid against the message schema', async () => {
    await new SqsIngestQueue(client(), QUEUE_URL).send(messages(23));
    expect(requests.map((entries) => entries.length)).toEqual([10, 10, 3]);
    const bodies = requests.flat().map((entry) => IngestMessage.parse(JSON.parse(entry.MessageBody)));
    expect(bodies.map((body) => body.url)).toEqual(messages(23).map((message) => message.url));
  });

  it('re-sends only the entries SQS failed on its side', async () => {
    failNext = [{ match: (body) => body.includes('/story/4"'), senderFault: false }];
    await new SqsIngestQueue(client(), QUEUE_URL).send(messages(6));
    expect(requests.map((entries) => entries.length)).toEqual([6, 1]);
    expect(requests[1]?.[0]?.MessageBody).toContain('/story/4"');
  });

  it('throws a typed error when SQS rejects an entry as malformed (a re-send cannot help)', async () => {
    failNext = [{ match: (body) => body.includes('/story/2"'), senderFault: true }];
    await expect(new SqsIngestQueue(client(), QUEUE_URL).send(messages(3))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('InvalidMessageContents'),
    });
    expect(requests).toHaveLength(1);
  });

  it('puts messages back with DelaySeconds per entry: whole seconds rounded up, at most 900', async () => {
    const [a, b, c] = messages(3) as [IngestMessage, IngestMessage, IngestMessage];
    await new SqsIngestQueue(client(), QUEUE_URL).sendDelayed([
      { message: a, delayMs: 1 },
      { message: b, delayMs: 2500 },
      { message: c, delayMs: 3_600_000 },
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.map((entry) => entry.DelaySeconds)).toEqual([1, 3, 900]);
    // Plain sends carry no delay at all.
    await new SqsIngestQueue(client(), QUEUE_URL).send([a]);
    expect(requests[1]?.[0]).not.toHaveProperty('DelaySeconds');
  });
});
