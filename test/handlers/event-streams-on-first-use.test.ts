import { Readable } from 'node:stream';
import { eventStreamSerdeProvider } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import {
  EventStreamMarshallerOnFirstUse,
  type LoadProvider,
  resolveEventStreamSerdeConfig,
} from '../../lib/handlers/event-streams-on-first-use.ts';

// Smithy's names: the "encoder" turns bytes into a string, the "decoder" a string into bytes.
const options = {
  utf8Encoder: (bytes: Uint8Array) => new TextDecoder().decode(bytes),
  utf8Decoder: (text: string) => new TextEncoder().encode(text),
};

interface Message {
  headers: Record<string, { type: 'string'; value: string }>;
  body: Uint8Array;
}

const event = (type: string, text: string): Message => ({
  headers: {
    ':message-type': { type: 'string', value: 'event' },
    ':event-type': { type: 'string', value: type },
    ':content-type': { type: 'string', value: 'application/octet-stream' },
  },
  body: new TextEncoder().encode(text),
});

async function* events() {
  yield event('Records', 'first');
  yield event('Stats', 'second');
  yield event('End', '');
}

/** The bytes of an event stream, as the real marshaller writes them. */
async function encodedStream(): Promise<Buffer> {
  const stream = eventStreamSerdeProvider(options).serialize(events(), (message: Message) => message);
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Reads every event a marshaller finds in `bytes` as [type, text] pairs. */
async function readEvents(
  marshaller: ReturnType<typeof eventStreamSerdeProvider>,
  bytes: Buffer,
): Promise<Array<[string, string]>> {
  const read: Array<[string, string]> = [];
  const deserializer = async (input: Record<string, { body: Uint8Array }>) => {
    const [type, message] = Object.entries(input)[0]!;
    return [type, new TextDecoder().decode(message.body)] as [string, string];
  };
  for await (const item of marshaller.deserialize(Readable.from([bytes]), deserializer as never)) {
    read.push(item as [string, string]);
  }
  return read;
}

function countingLoader(): { load: LoadProvider; loads: () => number } {
  let loads = 0;
  return {
    load: async () => {
      loads += 1;
      return eventStreamSerdeProvider as never;
    },
    loads: () => loads,
  };
}

describe('the event-stream marshaller loaded on first use', () => {
  it('reads a stream exactly as the real marshaller does, loading the real one once, and only when used', async () => {
    const bytes = await encodedStream();
    const { load, loads } = countingLoader();
    const lazy = new EventStreamMarshallerOnFirstUse(options, load);
    expect(loads()).toBe(0);

    const expected = await readEvents(eventStreamSerdeProvider(options), bytes);
    expect(expected).toEqual([
      ['Records', 'first'],
      ['Stats', 'second'],
      ['End', ''],
    ]);
    expect(await readEvents(lazy as never, bytes)).toEqual(expected);
    expect(await readEvents(lazy as never, bytes)).toEqual(expected);
    expect(loads()).toBe(1);
  });

  it('writes the same bytes as the real marshaller', async () => {
    const lazy = new EventStreamMarshallerOnFirstUse(options, countingLoader().load);
    const chunks: Buffer[] = [];
    for await (const chunk of lazy.serialize(events(), (message: Message) => message) as Readable) {
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    expect(Buffer.concat(chunks)).toEqual(await encodedStream());
  });

  it('resolves a client config the way the SDK does: the marshaller made from its provider', () => {
    const config = resolveEventStreamSerdeConfig({
      region: 'us-east-1',
      eventStreamSerdeProvider: (given: unknown) => ({ given }) as never,
    });
    expect(config.eventStreamMarshaller).toEqual({ given: config });
    expect(config.region).toBe('us-east-1');
  });
});
