/**
 * What tests of the sandbox need to act as sitescan does towards its sites: a site's spec and
 * served definition, a search URL filled the way sitescan fills it, and sitescan's margin on
 * every rate window.
 */
import type { DeclarativeSiteDefinitionInput } from '../../sites/site-definition';
import type { Sandbox } from '../index';
import { SANDBOX_SITES } from '../sandbox-sites';

/** The spec of a sandbox site. */
export const spec = (siteId: string) => SANDBOX_SITES.find((site) => site.id === siteId)!;

/** sitescan's site consumers keep this margin on every window (server/pipeline/site-consumer.ts). */
export const CLIENT_MARGIN_MS = 50;

/** The definition a sandbox serves for a site. */
export const definitionOf = (sandbox: Sandbox, siteId: string) => sandbox.siteDefinitions().find((d) => d.id === siteId)!;

/** The search URL of a definition, filled the way sitescan fills it. */
export const searchUrl = (definition: DeclarativeSiteDefinitionInput, fields: { name: string; location?: string }) =>
  definition.search.url.replaceAll(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent((fields as Record<string, string | undefined>)[key] ?? ''));
