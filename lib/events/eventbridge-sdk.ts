// What the EventBridge publisher loads on first use (`await import()` of this module, not of the package: esbuild keeps
// every export of a dynamically imported module, so the package itself would bring every EventBridge command).
export { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
