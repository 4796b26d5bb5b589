import type { CliIO } from './io.ts';

/** Placeholder until the command lands. */
export async function run(_args: string[], io: CliIO): Promise<number> {
  io.stderr('articles extract: not implemented yet');
  return 2;
}
