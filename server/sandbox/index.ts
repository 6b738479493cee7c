/**
 * The sandbox network: a local HTTP server that simulates sitescan's directory sites and place
 * APIs realistically and deterministically, so the whole pipeline can be tested offline.
 */
export { startSandbox } from './start-sandbox';
export type { Sandbox, SandboxOptions, SandboxSiteStats, SandboxStats } from './sandbox-server';
export type {
  SandboxBusiness,
  SandboxDataset,
  SandboxListing,
  SandboxVariation,
  VariationEffect,
  VariationField,
  VariationKind,
} from './dataset';
export { SANDBOX_SITES } from './sandbox-sites';
export type { SandboxSiteSpec } from './sandbox-sites';
export { PROFILES, SANDBOX_PROFILES } from './profiles';
export type { ProfileSpec, SandboxProfile } from './profiles';
export type { FaultKind, FaultRates } from './faults';
export type { RateLimits } from './limiter';
export type { PushBackStyle } from './push-back';
