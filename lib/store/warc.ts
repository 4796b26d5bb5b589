import { createHash, randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { gzipSync } from 'node:zlib';

/**
 * WARC 1.1 `response` records (the format web archives keep pages in), one gzip member each, so a batch of pages
 * is one `.warc.gz` object that any WARC reader (warcio, pywb, wget's tools) can read whole, and one page is one
 * ranged GET of its member. Written here rather than with warcio, whose serializer (with its hashing and gzip
 * dependencies) adds ~270 KB to the ingest bundle; the tests read these records back with warcio.
 */

export interface WarcResponse {
  url: string;
  fetchedAt: string;
  status: number;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  body: Uint8Array;
  /** Extension field naming the article the page was stored for. */
  articleId?: string;
}

const CRLF = '\r\n';

/** Header values cannot span lines; anything odd a server sent is folded to one line. */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** One gzip member holding one WARC response record. */
export function warcResponseMember(page: WarcResponse): Buffer {
  const httpHeaders = [
    `HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? ''}`.trimEnd(),
    ...(page.contentType ? [`Content-Type: ${headerValue(page.contentType)}`] : []),
    ...(page.etag ? [`ETag: ${headerValue(page.etag)}`] : []),
    ...(page.lastModified ? [`Last-Modified: ${headerValue(page.lastModified)}`] : []),
    `Content-Length: ${page.body.byteLength}`,
  ];
  const block = Buffer.concat([Buffer.from(`${httpHeaders.join(CRLF)}${CRLF}${CRLF}`), page.body]);
  const warcHeaders = [
    'WARC/1.1',
    'WARC-Type: response',
    `WARC-Record-ID: <urn:uuid:${randomUUID()}>`,
    `WARC-Date: ${new Date(page.fetchedAt).toISOString()}`,
    `WARC-Target-URI: ${headerValue(page.url)}`,
    `WARC-Payload-Digest: sha256:${createHash('sha256').update(page.body).digest('hex')}`,
    `WARC-Block-Digest: sha256:${createHash('sha256').update(block).digest('hex')}`,
    ...(page.articleId ? [`WARC-Article-Id: ${page.articleId}`] : []),
    'Content-Type: application/http;msgtype=response',
    `Content-Length: ${block.byteLength}`,
  ];
  return gzipSync(
    Buffer.concat([Buffer.from(`${warcHeaders.join(CRLF)}${CRLF}${CRLF}`), block, Buffer.from(CRLF + CRLF)]),
  );
}

/** A response record read back: the WARC target URI and date, the HTTP status and headers, and the body. */
export interface ParsedWarcResponse {
  url: string;
  fetchedAt: string;
  status: number;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  body: Uint8Array;
}

const HEADER_END = Buffer.from(CRLF + CRLF);

/**
 * Reads one uncompressed WARC response record (a gunzipped member written by warcResponseMember, or by any
 * WARC writer that records HTTP responses). Throws on anything else: a stored page that does not parse is a
 * storage fault.
 */
export function parseWarcResponse(record: Uint8Array): ParsedWarcResponse {
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  const warcEnd = bytes.indexOf(HEADER_END);
  if (warcEnd < 0) throw new Error('WARC record has no header block');
  const warc = headerFields(bytes.subarray(0, warcEnd).toString('utf-8'));
  if (!warc.first.startsWith('WARC/')) throw new Error('not a WARC record');
  if (warc.fields.get('warc-type') !== 'response') throw new Error('WARC record is not a response');
  const blockLength = Number(warc.fields.get('content-length'));
  const block = bytes.subarray(
    warcEnd + HEADER_END.length,
    warcEnd + HEADER_END.length + (Number.isSafeInteger(blockLength) ? blockLength : bytes.length),
  );
  const httpEnd = block.indexOf(HEADER_END);
  if (httpEnd < 0) throw new Error('WARC response has no HTTP header block');
  const http = headerFields(block.subarray(0, httpEnd).toString('latin1'));
  const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(http.first)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`WARC response has no HTTP status line: ${http.first}`);
  const bodyLength = Number(http.fields.get('content-length'));
  const bodyStart = httpEnd + HEADER_END.length;
  const body = block.subarray(
    bodyStart,
    Number.isSafeInteger(bodyLength) ? bodyStart + bodyLength : block.length,
  );
  const optional = (name: string, value: string | undefined) =>
    value === undefined ? {} : { [name]: value };
  return {
    url: warc.fields.get('warc-target-uri') ?? '',
    fetchedAt: warc.fields.get('warc-date') ?? '',
    status,
    ...optional('contentType', http.fields.get('content-type')),
    ...optional('etag', http.fields.get('etag')),
    ...optional('lastModified', http.fields.get('last-modified')),
    body: new Uint8Array(body),
  };
}

function headerFields(text: string): { first: string; fields: Map<string, string> } {
  const [first = '', ...lines] = text.split(CRLF);
  const fields = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { first, fields };
}
