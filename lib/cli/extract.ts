// `articles extract FILE [--url URL] [--content-type TYPE] [--format json|markdown]`: prints the Article as JSON
// (or only its Markdown) on stdout.
// `articles extract --jsonl`: reads {"url", "file"} or {"url", "html"} lines on stdin and writes one line per
// input, in order: the Article, or {"url", "error": {"code", "message"}}. Diagnostics go to stderr only.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ErrorCode } from '../core/errors.ts';
import { extractWithMarkdown } from '../core/markdown.ts';
import { type CliIO, UsageError } from './io.ts';

/**
 * Without --url, a file is extracted as if it came from https://example.invalid/<file name>: `.invalid` is
 * reserved (RFC 2606) and can never be a real site, so such articles are recognisable.
 */
export const PLACEHOLDER_ORIGIN = 'https://example.invalid/';

interface ExtractArgs {
  file?: string;
  url?: string;
  contentType?: string;
  jsonl: boolean;
  /** json (default): the Article; markdown: only its content.markdown. */
  format: 'json' | 'markdown';
}

function parseArgs(args: string[]): ExtractArgs {
  const parsed: ExtractArgs = { jsonl: false, format: 'json' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined || next === '') throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--jsonl') parsed.jsonl = true;
    else if (flag === '--url') parsed.url = value();
    else if (flag === '--content-type') parsed.contentType = value();
    else if (flag === '--format') {
      const format = value();
      if (format !== 'json' && format !== 'markdown') {
        throw new UsageError(`--format is json or markdown, got ${JSON.stringify(format)}`);
      }
      parsed.format = format;
    } else if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}`);
    else if (parsed.file !== undefined) throw new UsageError(`only one FILE, got ${JSON.stringify(arg)} too`);
    else parsed.file = arg;
  }
  if (parsed.jsonl && (parsed.file !== undefined || parsed.url !== undefined)) {
    throw new UsageError('--jsonl reads its inputs from stdin and takes no FILE or --url');
  }
  if (parsed.jsonl && parsed.format !== 'json')
    throw new UsageError('--jsonl writes JSON lines; --format is for FILE');
  if (!parsed.jsonl && parsed.file === undefined) throw new UsageError('missing FILE (or --jsonl)');
  return parsed;
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed.jsonl) return runJsonl(io);
  const file = parsed.file ?? '';
  let bytes: Uint8Array;
  try {
    // A Buffer is a Uint8Array: no copy of the page.
    bytes = await readFile(file);
  } catch (error) {
    io.stderr(`articles extract: cannot read ${file}: ${describeFsError(error)}`);
    return 1;
  }
  const url = parsed.url ?? placeholderUrl(file);
  const result = extractWithMarkdown({ html: bytes, url, contentType: parsed.contentType });
  if (!result.ok) {
    io.stderr(`articles extract: ${file}: ${result.error.code}: ${result.error.message}`);
    return 1;
  }
  io.stdout(
    parsed.format === 'markdown'
      ? (result.value.content.markdown ?? '')
      : JSON.stringify(result.value, null, 2),
  );
  return 0;
}

function placeholderUrl(file: string): string {
  return new URL(encodeURIComponent(basename(file)), PLACEHOLDER_ORIGIN).href;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** Processes stdin line by line, one output line per non-blank input line, in input order. */
async function runJsonl(io: CliIO): Promise<number> {
  const lines = createInterface({ input: io.stdin as Readable, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    io.stdout(JSON.stringify(await extractLine(line, lineNumber)));
  }
  return 0;
}

async function extractLine(line: string, lineNumber: number): Promise<unknown> {
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch {
    return errorLine(null, 'BAD_REQUEST', `line ${lineNumber} is not valid JSON`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return errorLine(null, 'BAD_REQUEST', `line ${lineNumber} is not a JSON object`);
  }
  const { url, file, html, contentType } = input as Record<string, unknown>;
  const urlOrNull = typeof url === 'string' ? url : null;
  if (typeof url !== 'string' || url === '') {
    return errorLine(urlOrNull, 'BAD_REQUEST', `line ${lineNumber} has no "url" string`);
  }
  if ((typeof file === 'string') === (typeof html === 'string')) {
    return errorLine(
      url,
      'BAD_REQUEST',
      `line ${lineNumber} needs exactly one of "file" or "html" (a string)`,
    );
  }
  let body: string | Uint8Array;
  if (typeof file === 'string') {
    try {
      body = await readFile(file);
    } catch (error) {
      return errorLine(url, 'NOT_FOUND', `cannot read ${file}: ${describeFsError(error)}`);
    }
  } else {
    body = html as string;
  }
  const result = extractWithMarkdown({
    html: body,
    url,
    ...(typeof contentType === 'string' && { contentType }),
  });
  return result.ok ? result.value : errorLine(url, result.error.code, result.error.message);
}

function errorLine(url: string | null, code: ErrorCode, message: string) {
  return { url, error: { code, message } };
}
