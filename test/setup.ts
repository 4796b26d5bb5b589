// vitest setup for every test file: keep the AWS SDK's Node-version notice out of test output (and out of
// the child processes tests spawn, which inherit the environment). Other warnings still print.
import '../lib/runtime/sdk-warning.ts';
import { reportFileCpu } from './helpers/cpu-report.ts';

// aws-cdk-lib checks every synthesized template against the CloudFormation schema (a WASM engine: ~5 s of CPU
// for the first synth in a process, ~1 s for each after). The template and nag tests synthesize dozens of
// variants, so they skip it; test/cdk/cfn-validation.ci.test.ts (CI only) runs it, and so do `cdk synth` (CI)
// and every deploy.
process.env.CDK_VALIDATION ??= 'false';

// TEST_CPU_REPORT=FILE: per-file CPU seconds as JSON lines (test/helpers/cpu-report.ts).
if (process.env.TEST_CPU_REPORT) reportFileCpu(process.env.TEST_CPU_REPORT);
