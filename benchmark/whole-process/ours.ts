// Whole-process runner for our extractor: the page bytes from disk into the full extract() (decode, metadata,
// content, schema validation), the Article (or the error) out as a JSON line, as `articles extract --jsonl` does.
import { readFileSync } from 'node:fs';
import { extract } from '../../lib/core/extract/index.ts';
import { runPages } from './common.ts';

runPages(({ url, file }) => {
  // readFileSync's Buffer is a Uint8Array: handed over as it is, as the CLI and the ingest handler do (no copy).
  const result = extract({ html: readFileSync(file), url });
  return result.ok
    ? result.value
    : { url, error: { code: result.error.code, message: result.error.message } };
});
