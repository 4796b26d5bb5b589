import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CursorBinding, createCursorCodec } from '../../lib/api/cursor.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import { TEST_CURSOR_SECRET } from './fixtures.ts';

const siteQuery: CursorBinding = { list: 'site', site: 'example.com', from: '2024-01-01T00:00:00.000Z' };
const position = { site: 'example.com', sortKey: '2024-05-01T00:00:00.000Z#abc', n: 3 };

function expectInvalid(action: () => unknown, pattern: RegExp): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe('BAD_REQUEST');
    expect((error as PipelineError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected the cursor to be refused');
}

describe('cursor codec', () => {
  const codec = createCursorCodec({ secret: TEST_CURSOR_SECRET });

  it('round-trips the store position for the same query', () => {
    const token = codec.encode(position, siteQuery);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.decode(token, { ...siteQuery })).toEqual(position);
  });

  it('refuses a cursor whose payload was altered', () => {
    const [body, signature] = codec.encode(position, siteQuery).split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    payload.k.n = 0;
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    expectInvalid(() => codec.decode(forged, siteQuery), /signature/);
  });

  it('refuses every token that differs from the issued one, even where base64url decoding would forgive it', () => {
    const token = codec.encode(position, siteQuery);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const accepted: string[] = [];
    for (let index = 0; index < token.length; index += 1) {
      if (token[index] === '.') continue;
      for (const replacement of alphabet) {
        if (replacement === token[index]) continue;
        const altered = token.slice(0, index) + replacement + token.slice(index + 1);
        try {
          codec.decode(altered, siteQuery);
          accepted.push(altered);
        } catch (error) {
          expect((error as PipelineError).code).toBe('BAD_REQUEST');
        }
      }
    }
    // The signature's last character carries 2 padding bits: three other spellings decode to the same bytes.
    expect(accepted).toEqual([]);
  });

  it('refuses a cursor signed with another secret', () => {
    const other = createCursorCodec({ secret: 'another-secret-that-is-long-enough-000' });
    expectInvalid(() => codec.decode(other.encode(position, siteQuery), siteQuery), /signature/);
  });

  it('refuses a cursor reused with a different query', () => {
    const token = codec.encode(position, siteQuery);
    expectInvalid(() => codec.decode(token, { ...siteQuery, site: 'other.example' }), /different query/);
    expectInvalid(() => codec.decode(token, { list: 'site', site: 'example.com' }), /different query/);
    expectInvalid(
      () => codec.decode(token, { list: 'since', since: '2024-01-01T00:00:00.000Z' }),
      /different/,
    );
  });

  it('refuses an expired cursor', () => {
    let now = new Date('2024-05-01T00:00:00Z');
    const clocked = createCursorCodec({ secret: TEST_CURSOR_SECRET, maxAgeSeconds: 60, now: () => now });
    const token = clocked.encode(position, siteQuery);
    now = new Date('2024-05-01T00:00:59Z');
    expect(clocked.decode(token, siteQuery)).toEqual(position);
    now = new Date('2024-05-01T00:01:01Z');
    expectInvalid(() => clocked.decode(token, siteQuery), /expired/);
  });

  it('refuses garbage', () => {
    for (const garbage of ['', 'abc', 'a.b.c', '.', 'abc.', '!!!.???']) {
      expectInvalid(() => codec.decode(garbage, siteQuery), /invalid cursor/);
    }
  });

  it('refuses a signed payload of the wrong shape', () => {
    // Only reachable with the secret (a leak or a format change); still a 400, not a store error.
    const body = Buffer.from(JSON.stringify({ v: 1, q: 'x', t: 0, k: { a: { nested: true } } })).toString(
      'base64url',
    );
    const signature = createHmac('sha256', TEST_CURSOR_SECRET).update(body).digest('base64url');
    expectInvalid(() => codec.decode(`${body}.${signature}`, siteQuery), /unrecognized format/);
  });

  it('will not start with a short secret', () => {
    expect(() => createCursorCodec({ secret: 'short' })).toThrow(/at least 32 characters/);
  });
});
