// zod/mini, zod's tree-shakable functional API, for every schema the functions bundle: the classic API carries
// every method of every schema type (and JSON Schema generation) into each bundle, ~70 KB and the time to load
// them at each cold start. Classic zod installs its English error messages on first use; mini has none until
// told, so they are installed here, and every module takes zod from this one.

import { en } from 'zod/locales';
import { config, globalRegistry, type ZodMiniType } from 'zod/mini';
import type { GlobalMeta } from 'zod/v4/core';

config(en());

export * from 'zod/mini';

/**
 * Classic zod's `schema.meta(data)`: a copy of the schema with `data` in the global registry (what JSON Schema and
 * OpenAPI show). Not zod/mini's `.check(z.meta(data))`: that check travels into every schema derived from this one
 * (`z.extend`, `z.omit`), so an extended schema would carry its parent's `id` too.
 */
export function withMeta<T extends ZodMiniType>(schema: T, data: GlobalMeta): T {
  const copy = schema.clone();
  globalRegistry.add(copy, data);
  return copy;
}
