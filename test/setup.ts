// vitest setup for every test file: keep the AWS SDK's Node-version notice out of test output (and out of
// the child processes tests spawn, which inherit the environment). Other warnings still print.
import '../lib/runtime/sdk-warning.ts';
