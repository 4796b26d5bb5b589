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
