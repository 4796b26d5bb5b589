import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { PipelineError } from '../errors.ts';

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** As many stacked codings as any real server sends, and then some (undici's limit too). */
const MAX_CONTENT_CODINGS = 5;

/** Decoders for a Content-Encoding header, in the order they must be applied. */
function decodersFor(contentEncoding: string | undefined, url: string): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_CONTENT_CODINGS) {
    // Each layer costs a decompression context; thousands fit in one header line.
    throw new PipelineError(
      'DECODE_FAILED',
      `${codings.length} content codings stacked in Content-Encoding; at most ${MAX_CONTENT_CODINGS} are undone`,
      { url, retryable: false },
    );
  }
  // Codings are listed in the order they were applied, so they are undone in reverse.
  return codings.reverse().map((coding) => {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        // Sync flush tolerates a truncated stream, as browsers do.
        return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
      case 'deflate':
        return zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
      case 'br':
        return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
      default:
        throw new PipelineError('DECODE_FAILED', `unsupported Content-Encoding ${JSON.stringify(coding)}`, {
          url,
          retryable: false,
        });
    }
  });
}

export function tooLarge(url: string, maxBytes: number): PipelineError {
  return new PipelineError('TOO_LARGE', `body is larger than ${maxBytes} bytes (after decompression)`, {
    url,
    maxBytes,
    retryable: false,
  });
}

/**
 * Reads and decodes a body while counting DECODED bytes, stopping as soon as the cap is passed: a 100 MB body
 * or a compression bomb costs at most maxBytes plus one chunk. Content-Length is not consulted.
 */
export async function readBody(
  raw: Readable,
  options: {
    contentEncoding?: string;
    maxBytes: number;
    url: string;
    signal: AbortSignal;
    /** Hands the decoded chunks to this consumer (counted against maxBytes) instead of collecting them. */
    consume?: (chunks: AsyncIterable<Buffer>) => Promise<void>;
  },
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  let decoders: Transform[];
  try {
    decoders = decodersFor(options.contentEncoding, options.url);
  } catch (error) {
    raw.destroy();
    throw error;
  }
  // pipeline() may report its own abort instead of the error the last stage threw, so keep ours.
  let overflow: PipelineError | undefined;
  const counted = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > options.maxBytes) {
        overflow = tooLarge(options.url, options.maxBytes);
        throw overflow;
      }
      yield chunk;
    }
  };
  const consume = options.consume;
  const collect = async (source: AsyncIterable<Buffer>) => {
    if (consume !== undefined) {
      await consume(counted(source));
      return;
    }
    for await (const chunk of source) {
      total += chunk.length;
      if (total > options.maxBytes) {
        overflow = tooLarge(options.url, options.maxBytes);
        throw overflow;
      }
      chunks.push(chunk);
    }
  };
  try {
    // The typed overloads cannot express a variable number of decoders.
    const run = pipeline as unknown as (...stages: unknown[]) => Promise<void>;
    await run(raw, ...decoders, collect, { signal: options.signal });
  } catch (error) {
    if (overflow !== undefined) throw overflow;
    if (error instanceof PipelineError) throw error;
    if (options.signal.aborted && options.signal.reason instanceof PipelineError) throw options.signal.reason;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || code.startsWith('ERR_BROTLI') || code === 'ERR__ERROR_FORMAT_PADDING_1') {
      throw new PipelineError('DECODE_FAILED', `could not decompress the body: ${(error as Error).message}`, {
        url: options.url,
        retryable: false,
      });
    }
    throw new PipelineError('CONNECTION_FAILED', `reading the body failed: ${(error as Error).message}`, {
      url: options.url,
      retryable: true,
    });
  }
  return consume === undefined ? new Uint8Array(Buffer.concat(chunks, total)) : new Uint8Array();
}

/** Decompresses a gzip payload (a .xml.gz sitemap) with the same cap, stopping early on a bomb. */
export function gunzipCapped(bytes: Uint8Array, maxBytes: number, url: string): Uint8Array {
  try {
    return new Uint8Array(
      zlib.gunzipSync(bytes, { maxOutputLength: maxBytes, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(url, maxBytes);
    throw new PipelineError('DECODE_FAILED', `could not gunzip ${url}: ${(error as Error).message}`, {
      url,
      retryable: false,
    });
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}
