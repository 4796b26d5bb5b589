#!/usr/bin/env node
// The CDK app (`npx cdk synth`, `npx cdk deploy`): settings come from context (-c key=value or cdk.json).
import { createApp } from '../lib/cdk/app.ts';

createApp().app.synth();
