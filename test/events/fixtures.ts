import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArticleIngestedDetail } from '../../lib/core/events.ts';

export function sampleDetail(overrides: Partial<ArticleIngestedDetail> = {}): ArticleIngestedDetail {
  return {
    schemaVersion: 1,
    kind: 'created',
    article: {
      id: 'a'.repeat(64),
      url: 'https://example.com/news/one',
      site: 'example.com',
      title: 'One',
      authors: ['Ada Writer'],
      publishedAt: '2024-05-01T09:00:00.000Z',
      language: 'en',
      version: 1,
    },
    contentHash: 'b'.repeat(64),
    ingestedAt: '2024-05-01T10:00:00.000Z',
    location: {
      bucket: 'articles',
      articleKey: `articles/${'a'.repeat(64)}/v1.json`,
      rawKey: 'raw/x/v1.html',
    },
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback HTTP server that records requests and answers with the given function. */
export async function startRecordingServer(
  answer: (request: RecordedRequest, response: ServerResponse) => void,
): Promise<{
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
  server: Server;
}> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      answer(recorded, response);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
