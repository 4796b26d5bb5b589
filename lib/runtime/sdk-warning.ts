/**
 * The AWS SDK prints an 8-line NodeVersionSupportWarning on Node 20 the first time a client is made (every
 * `npm start`, `articles ingest` and many tests). The project supports Node 20.18+ on purpose; the warning
 * tells our users nothing they can act on. The SDK's own switch for exactly that warning turns it off; every
 * other warning still prints, and a user who sets the variable keeps their value. Imported first by the entry
 * points and the vitest setup, before any client exists.
 */
export const SDK_NODE_VERSION_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

process.env[SDK_NODE_VERSION_WARNING_SWITCH] ??= 'true';
