// `@smithy/core/event-streams` as the Lambda bundles give it to the S3 client (lib/cdk/lambda-bundle.ts,
// eventStreamsOnFirstUsePlugin). The S3 client builds its event-stream marshaller when it is constructed, so every
// function that makes one compiled the whole event-stream codec (~14 KB: message framing, CRC checks, Int64
// headers) at that moment, though only SelectObjectContent reads an event stream and the store never sends it.
// The marshaller here has the same two methods and loads the real one the first time either is called.
import { Readable } from 'node:stream';

/** The marshaller contract the S3 client relies on (`EventStreamMarshaller` of @smithy/types). */
export interface EventStreamMarshaller {
  deserialize<T>(
    body: unknown,
    deserializer: (input: Record<string, unknown>) => Promise<T>,
  ): AsyncIterable<T>;
  serialize<T>(input: AsyncIterable<T>, serializer: (event: T) => unknown): unknown;
}

type SerdeProvider = (options: unknown) => EventStreamMarshaller;

/** How the real provider is loaded (a test passes a counting stand-in). */
export type LoadProvider = () => Promise<SerdeProvider>;

const loadSmithyProvider: LoadProvider = async () =>
  (await import('@smithy/core/event-streams')).eventStreamSerdeProvider as SerdeProvider;

export class EventStreamMarshallerOnFirstUse implements EventStreamMarshaller {
  #real: Promise<EventStreamMarshaller> | undefined;

  constructor(
    private readonly options: unknown,
    private readonly load: LoadProvider = loadSmithyProvider,
  ) {}

  #marshaller(): Promise<EventStreamMarshaller> {
    this.#real ??= this.load().then((provider) => provider(this.options));
    return this.#real;
  }

  deserialize<T>(
    body: unknown,
    deserializer: (input: Record<string, unknown>) => Promise<T>,
  ): AsyncIterable<T> {
    const marshaller = () => this.#marshaller();
    return (async function* () {
      yield* (await marshaller()).deserialize(body, deserializer);
    })();
  }

  serialize<T>(input: AsyncIterable<T>, serializer: (event: T) => unknown): Readable {
    const marshaller = () => this.#marshaller();
    // Node's marshaller returns a Readable of the encoded messages; this one is that same stream, opened later.
    return Readable.from(
      (async function* () {
        yield* (await marshaller()).serialize(input, serializer) as AsyncIterable<unknown>;
      })(),
    );
  }
}

/** Same name and shape as the export of `@smithy/core/event-streams` the S3 client's runtime config imports. */
export const eventStreamSerdeProvider: SerdeProvider = (options) =>
  new EventStreamMarshallerOnFirstUse(options);

/** Same as `@smithy/core/event-streams`' own (S3Client.js imports it): the client's marshaller from its provider. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: SerdeProvider }>(
  input: T,
): T & { eventStreamMarshaller: EventStreamMarshaller } =>
  Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
