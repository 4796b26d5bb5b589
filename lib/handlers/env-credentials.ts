// The credential provider the Lambda bundles use in place of the SDK's default chain. Lambda puts the function
// role's credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the
// chain's SSO, INI-file, web-identity, container and instance-metadata providers (and the STS, SSO and sign-in
// clients they carry, ~100 KB per bundle) never run there. lib/cdk/bundling.ts aliases
// `@aws-sdk/credential-provider-node` to this module; tests and the embedded stack keep the full chain.
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same name and shape as `@aws-sdk/credential-provider-node`'s export, which the clients' runtime config imports. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
