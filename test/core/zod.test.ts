// lib/core/zod.ts is zod/mini for the Lambda bundles; this file imports no classic zod, which would install its
// English messages in the process and hide a missing locale.
import { describe, expect, it } from 'vitest';
import * as z from '../../lib/core/zod.ts';

describe('zod for the functions (zod/mini)', () => {
  it('reports in English, as classic zod does', () => {
    const parsed = z.object({ title: z.string().check(z.minLength(2)) }).safeParse({ title: 'a' });
    expect(parsed.success).toBe(false);
    expect(z.prettifyError(parsed.error!)).toBe(
      '✖ Too small: expected string to have >=2 characters\n  → at title',
    );
  });

  it('withMeta registers a copy, and a schema extended from it does not inherit its id', () => {
    const base = z.object({ a: z.string() });
    const named = z.withMeta(base, { id: 'Named', description: 'a named object' });
    const extended = z.extend(named, { b: z.number() });
    expect(z.globalRegistry.get(base)).toBeUndefined();
    expect(z.globalRegistry.get(named)).toEqual({ id: 'Named', description: 'a named object' });
    expect(z.globalRegistry.get(extended)?.id).toBeUndefined();
    const schema = z.toJSONSchema(z.object({ one: named, two: extended }));
    expect(Object.keys((schema.$defs ?? {}) as object)).toEqual(['Named']);
  });
});
