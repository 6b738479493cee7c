/**
 * The sandbox network: a local HTTP server that simulates sitescan's directory sites
 * realistically and deterministically, so the whole pipeline can be tested offline.
 */
export { startSandbox } from './sandbox-server';
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
