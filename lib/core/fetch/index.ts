export {
  type AddressCategory,
  type AddressVerdict,
  classifyAddress,
  formatIp,
  parseIpAddress,
  parseIpv4,
  parseIpv6,
} from './address.ts';
export { DEFAULT_MAX_BYTES, gunzipCapped, isGzip } from './body.ts';
export { createNodeConnector, nodeConnector } from './connector.ts';
export { FETCH_DEFAULTS, fetchPage } from './fetch-page.ts';
export { createFetcher, type FetcherConfig, fetchOptionsFromConfig, type PoliteFetcher } from './fetcher.ts';
export { type AddressPolicy, checkUrl, createAddressPolicy, resolveAndVet, systemResolver } from './guard.ts';
export { backoffDelay, parseRetryAfter } from './retry.ts';
export {
  RobotsCache,
  type RobotsCacheOptions,
  type RobotsRules,
  type SharedRobotsStore,
  type StoredRobots,
} from './robots.ts';
export { HostScheduler, type HostSchedulerOptions } from './scheduler.ts';
export {
  createSharedPoliteness,
  type HostTokenState,
  type HostTokenStore,
  hostBusy,
  isHostBusy,
  type TokenTake,
} from './shared-politeness.ts';
export type {
  Accept,
  Connector,
  ConnectRequest,
  ConnectResponse,
  FetchOptions,
  FetchResult,
  FetchTimings,
  Politeness,
  ResolvedAddress,
  Resolver,
} from './types.ts';
