import { build } from 'esbuild';
import { type FunctionName, lambdaEntry } from '../../lib/cdk/bundling.ts';
import { ENV, type EnvKey } from '../../lib/config.ts';

const ENV_KEYS = Object.keys(ENV) as EnvKey[];

/**
 * The ENV keys a handler's code reads, derived from the code itself rather than a second hand-typed list:
 * the entry is bundled (tree-shaken, unminified, npm packages left out) so only code the handler can reach
 * counts, then its text is searched for `config.<key>`, `required(…, '<key>')` and `ENV.<key>`. lib/config.ts
 * itself is cut out: it names every key by definition.
 */
export async function envKeysReadBy(name: FunctionName): Promise<Set<EnvKey>> {
  const result = await build({
    entryPoints: [lambdaEntry(name)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    treeShaking: true,
    minify: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  // esbuild heads each module with a `// path` comment; drop the config module's section.
  const sections = text
    .split(/^(?=\/\/ [\w./-]+\.ts$)/m)
    .filter((section) => !section.startsWith('// lib/config.ts'));
  const code = sections.join('');
  const keys = new Set<EnvKey>();
  // esbuild renames a top-level `config` that collides with another module's (zod/mini's `config` import made it
  // `config2`), so the digits are allowed.
  const patterns = [/\bconfig\d*\.(\w+)/g, /\brequired\([^,()]+,\s*["'](\w+)["']\)/g, /\bENV\.(\w+)/g];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const key = match[1] as EnvKey;
      if (ENV_KEYS.includes(key)) keys.add(key);
    }
  }
  return keys;
}
