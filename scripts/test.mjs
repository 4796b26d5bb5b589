#!/usr/bin/env node
// `npm test`: the type-check, the lint and the vitest suites at once instead of one after the other. On 2 cores
// the suites leave CPU idle while they wait on loopback servers, timers and child processes; tsc and Biome use it.
// vitest's output streams as it runs; tsc's and Biome's is printed when each finishes. The first to fail stops
// the others, so a type or lint error still fails `npm test` within seconds. Arguments are passed to vitest
// (CI: `npm test -- --reporter=json ...`). The typecheck and lint commands are package.json's scripts.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };
const running = new Set();

// Ctrl-C reaches this process only (the steps have process groups of their own): pass it on, then leave.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) stopGroup(child);
    process.exit(130);
  });
}

const steps = [
  { name: 'typecheck', command: scripts.typecheck, buffered: true },
  { name: 'lint', command: scripts.lint, buffered: true },
  {
    name: 'vitest',
    command: ['vitest', 'run', ...process.argv.slice(2).map(quote)].join(' '),
    buffered: false,
  },
].map(start);

let failed = false;
await Promise.all(
  steps.map(async (step) => {
    const code = await step.exited;
    if (step.buffered && (code !== 0 || step.output.trim() !== '')) process.stdout.write(step.output);
    if (code === 0 || failed) return;
    failed = true;
    process.stderr.write(`\nnpm test: ${step.name} failed (exit ${code}); stopping the others\n`);
    for (const other of steps) if (other !== step) other.stop();
  }),
);
process.exitCode = failed ? 1 : 0;

function start({ name, command, buffered }) {
  // A process group of its own, so that stopping a step also stops what its command started (tsc's native
  // compiler, vitest's workers and their child processes).
  const child = spawn(command, {
    cwd: root,
    env,
    shell: true,
    detached: true,
    stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  const step = { name, buffered, output: '', exited: undefined, stop: () => stopGroup(child) };
  if (buffered) {
    child.stdout.on('data', (chunk) => (step.output += chunk));
    child.stderr.on('data', (chunk) => (step.output += chunk));
  }
  step.exited = new Promise((resolve) => {
    child.once('error', (error) => {
      step.output += `${name}: ${error.message}\n`;
      resolve(1);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  running.add(child);
  step.exited.then(() => running.delete(child));
  return step;
}

function stopGroup(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
