import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback endpoint speaking just enough of SQS (AWS JSON 1.0), EventBridge and Secrets Manager (AWS JSON
 * 1.1) for the handlers' real SDK clients: SendMessage(Batch) and PutEvents are recorded, GetSecretValue
 * answers from the secrets it was started with, everything else is a 400. The handlers reach it through
 * AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL_SECRETS_MANAGER, unmodified.
 */
export interface FakeAwsServices {
  endpoint: string;
  queueUrl: string;
  /** Message bodies sent to the queue, in order. */
  messages: string[];
  events: Array<{ Source?: string; DetailType?: string; Detail?: string; EventBusName?: string }>;
  /** The SecretId of every GetSecretValue call, in order. */
  secretReads: string[];
  close(): Promise<void>;
}

/** Secret values by ARN; GetSecretValue for any other id is Secrets Manager's ResourceNotFoundException. */
export type FakeSecrets = Record<string, string>;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeAwsServices(secrets: FakeSecrets = {}): Promise<FakeAwsServices> {
  const messages: string[] = [];
  const events: FakeAwsServices['events'] = [];
  const secretReads: string[] = [];

  const reply = (response: ServerResponse, status: number, contentType: string, body: unknown) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(JSON.stringify(body));
  };

  const server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const input = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
    switch (target) {
      case 'AmazonSQS.SendMessage': {
        const body = String(input.MessageBody);
        messages.push(body);
        return reply(response, 200, 'application/x-amz-json-1.0', {
          MessageId: randomUUID(),
          MD5OfMessageBody: md5(body),
        });
      }
      case 'AmazonSQS.SendMessageBatch': {
        const entries = input.Entries as Array<{ Id: string; MessageBody: string }>;
        const successful = entries.map((entry) => {
          messages.push(entry.MessageBody);
          return { Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.MessageBody) };
        });
        return reply(response, 200, 'application/x-amz-json-1.0', { Successful: successful, Failed: [] });
      }
      case 'AWSEvents.PutEvents': {
        const entries = input.Entries as FakeAwsServices['events'];
        events.push(...entries);
        return reply(response, 200, 'application/x-amz-json-1.1', {
          FailedEntryCount: 0,
          Entries: entries.map(() => ({ EventId: randomUUID() })),
        });
      }
      case 'secretsmanager.GetSecretValue': {
        const secretId = String(input.SecretId);
        secretReads.push(secretId);
        const value = secrets[secretId];
        if (value === undefined) {
          return reply(response, 400, 'application/x-amz-json-1.1', {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        }
        return reply(response, 200, 'application/x-amz-json-1.1', {
          ARN: secretId,
          Name: secretId.split(':').at(-1),
          SecretString: value,
        });
      }
      default:
        return reply(response, 400, 'application/x-amz-json-1.0', {
          __type: 'UnknownOperationException',
          message: `the fake does not implement ${target || 'this request'}`,
        });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl: `${endpoint}/000000000000/article-ingest`,
    messages,
    events,
    secretReads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
