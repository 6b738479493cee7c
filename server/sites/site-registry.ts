/**
 * The registry of searchable sites: the built-in list (code-reviewed) plus the user's
 * `SITES_FILE`. Built once at start-up; a bad file stops the start with a message naming the
 * file, the site and the field.
 */
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors';
import { HttpConnector, type SiteConnector } from './connector';
import { siteDefinitionListSchema, type SiteDefinition, type SiteDefinitionInput } from './site-definition';

/** Reads and validates a `SITES_FILE`. */
export async function loadSitesFile(path: string): Promise<SiteDefinition[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`SITES_FILE ${path} cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`SITES_FILE ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSiteDefinitions(json, `SITES_FILE ${path}`);
}

/** Validates a list of site definitions; `source` names where they came from in the error. */
export function parseSiteDefinitions(json: unknown, source: string): SiteDefinition[] {
  const parsed = siteDefinitionListSchema.safeParse(json);
  if (!parsed.success) {
    const named = parsed.error.issues.map((issue) => {
      const [index, ...rest] = issue.path;
      const id =
        typeof index === 'number' && Array.isArray(json) ? (json[index] as { id?: unknown } | undefined)?.id : undefined;
      const where = typeof index === 'number' ? `site ${index}${typeof id === 'string' ? ` (${id})` : ''}` : 'the file';
      return `${where}: ${rest.length ? `${rest.join('.')}: ` : ''}${issue.message}`;
    });
    throw new ValidationError(`${source} is invalid: ${named.join('; ')}`, parsed.error.issues);
  }
  return parsed.data;
}

/** The sites sitescan can search, by id, in a stable order. */
export class SiteRegistry {
  private readonly byId = new Map<string, SiteConnector>();

  constructor(connectors: readonly SiteConnector[]) {
    for (const connector of connectors) {
      const { id } = connector.definition;
      if (this.byId.has(id)) throw new ValidationError(`site id ${id} is defined twice`);
      this.byId.set(id, connector);
    }
  }

  /**
   * Builds a registry: declarative sites (the built-in ones, then the file's) followed by code
   * adapters' connectors.
   */
  static fromDefinitions(
    builtIn: readonly SiteDefinitionInput[],
    extra: readonly SiteDefinition[] = [],
    adapters: readonly SiteConnector[] = [],
  ): SiteRegistry {
    const definitions = [...parseSiteDefinitions(builtIn, 'built-in site list'), ...extra];
    const declarative = definitions.map((definition) => {
      if (definition.kind !== 'html' && definition.kind !== 'json') {
        throw new ValidationError(
          `site ${definition.id}: kind ${definition.kind} is a code adapter, configured by its API key variables, not by a site file`,
        );
      }
      return new HttpConnector(definition);
    });
    return new SiteRegistry([...declarative, ...adapters]);
  }

  get(id: string): SiteConnector | undefined {
    return this.byId.get(id);
  }

  all(): SiteConnector[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
