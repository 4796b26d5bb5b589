// Writes schema/article.schema.json from the zod Article schema. A test fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { articleJsonSchema } from '../lib/core/article.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/article.schema.json', import.meta.url));

export function renderArticleJsonSchema(): string {
  return `${JSON.stringify(articleJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, renderArticleJsonSchema());
  console.error(`wrote ${SCHEMA_FILE}`);
}
