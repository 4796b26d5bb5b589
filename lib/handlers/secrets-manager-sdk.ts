// What the query function loads to read its cursor secret (`await import()` of this module, not of the package:
// esbuild keeps every export of a dynamically imported module, so the package would bring every command).
export { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
