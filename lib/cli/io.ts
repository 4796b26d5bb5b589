import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a CLI command may touch, so commands can be tested without spawning a process. */
export interface CliIO {
  stdout(line: string): void;
  stderr(line: string): void;
  stdin: NodeJS.ReadableStream;
}

export type CliCommand = (args: string[], io: CliIO) => Promise<number>;

/** Thrown for bad arguments; the CLI prints the message and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const processIO: CliIO = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
};

/** A command's flags and operands (node:util parseArgs, strict); a bad flag is a UsageError. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
