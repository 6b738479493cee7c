/**
 * The Elasticsearch store's indices: their names, mappings and templates, and the schema version
 * that guards them.
 *
 *   open ──► put 5 index templates (idempotent) ──► create the missing indices ──► check `_meta`
 *            <prefix>-searches · -results · -events     (a race with another      sitescanSchema
 *            · -owners · -bulk-runs; exact names,         process is harmless)      = this version
 *            priority 200
 *
 * Invariants:
 * - Every index is `dynamic: strict`: a field the mappings do not list is refused, never guessed.
 * - An index whose `_meta.sitescanSchema` differs from `ELASTIC_SCHEMA_VERSION` is never written:
 *   opening fails naming both versions — unless its version is one `UPGRADABLE_FROM`, whose
 *   change only added fields: its mapping is updated in place (and the new fields filled) first.
 */
import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import type { BusinessQuery } from '../../lib/types';
import { scanKeyOf } from './scan-key';

/**
 * Names of the indices (and of their templates) for one prefix. A type rather than an interface:
 * only a type alias is indexable, so `Object.values` of it reads as `string[]`, not `any[]`.
 */
export type ElasticIndexNames = {
  readonly searches: string;
  readonly results: string;
  readonly events: string;
  /** Who created each search (`elastic-owners.ts`); added after the others, created when missing. */
  readonly owners: string;
  /** Bulk runs (`elastic-write-once.ts`); added after the others, created when missing. */
  readonly bulkRuns: string;
};

/** The index names a store with `indexPrefix` uses; each index template bears the same name. */
export function elasticIndexNames(indexPrefix: string): ElasticIndexNames {
  return {
    searches: `${indexPrefix}-searches`,
    results: `${indexPrefix}-results`,
    events: `${indexPrefix}-events`,
    owners: `${indexPrefix}-owners`,
    bulkRuns: `${indexPrefix}-bulk-runs`,
  };
}

/** Version of the mappings below, kept in each index's `_meta`; bump it when they change. */
export const ELASTIC_SCHEMA_VERSION = 2;

/**
 * Versions an index is brought up from in place, with what changed: only fields added, which a
 * mapping update may do. 1 → 2: `scanKey` on searches (the documents already there get theirs
 * from their query, `fillScanKeys`).
 */
const UPGRADABLE_FROM = [1];

/** Priority of our index templates: above the built-in ones (≤ 100) should a prefix match them. */
const TEMPLATE_PRIORITY = 200;

/** A string no index stores: keyword, neither indexed nor with doc values, kept in `_source`. */
const STORED_ONLY: estypes.MappingProperty = { type: 'keyword', index: false, doc_values: false };
/** JSON kept as it came, never parsed into fields. */
const OPAQUE: estypes.MappingProperty = { type: 'object', enabled: false };
const MILLIS: estypes.MappingProperty = { type: 'date', format: 'epoch_millis' };

/** The mappings of each index (the documents of `elastic-documents.ts`). */
const MAPPINGS: Record<keyof ElasticIndexNames, estypes.MappingTypeMapping> = {
  searches: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      id: { type: 'keyword' },
      status: { type: 'keyword' },
      priority: { type: 'keyword' },
      createdAt: MILLIS,
      completedAt: MILLIS,
      deadlineAt: MILLIS,
      query: OPAQUE,
      summary: OPAQUE,
      // The words are folded in JS (search-words.ts; this distribution has no asciifolding), so
      // whitespace suffices; index_prefixes makes the last word's prefix query cheap.
      text: { type: 'text', analyzer: 'whitespace', index_prefixes: { min_chars: 1, max_chars: 8 } },
      // scan-key.ts: the previous scan of a business is a term query on it. Added in version 2.
      scanKey: { type: 'keyword' },
    },
  },
  results: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      searchId: { type: 'keyword' },
      siteId: { type: 'keyword' },
      position: { type: 'long' },
      status: { type: 'keyword' },
      outcome: { type: 'keyword' },
      attempts: { type: 'integer' },
      latencyMs: { type: 'double' },
      record: STORED_ONLY,
    },
  },
  events: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      searchId: { type: 'keyword' },
      seq: { type: 'long' },
      at: MILLIS,
      type: { type: 'keyword' },
      siteId: { type: 'keyword' },
      data: OPAQUE,
    },
  },
  owners: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      searchId: { type: 'keyword' },
      owner: { type: 'keyword' },
      createdAt: MILLIS,
    },
  },
  bulkRuns: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      id: { type: 'keyword' },
      createdAt: MILLIS,
      // The record as the store took it (`BulkRunRecord`): read whole by id, never searched.
      record: OPAQUE,
    },
  },
};

/**
 * Puts the index templates, creates the indices that are missing and checks their schema
 * version. Throws naming the index and both versions when one was made by another schema.
 */
export async function prepareIndices(client: Client, indices: ElasticIndexNames): Promise<void> {
  const kinds = Object.keys(indices) as (keyof ElasticIndexNames)[];
  await Promise.all(kinds.map((kind) => putTemplate(client, kind, indices[kind])));
  await Promise.all(kinds.map((kind) => createIfMissing(client, indices[kind])));
  // A new index answers searches only once its shard is active: nodes of a cluster starting
  // together read it at once (measured: "all shards failed" on the second node without this).
  await client.cluster.health({ index: Object.values(indices), wait_for_status: 'yellow', timeout: '30s' });
  const mappings = await client.indices.getMapping({ index: Object.values(indices) });
  for (const kind of kinds) {
    // _meta is free-form (typed any): whatever is there is only compared and printed.
    let version: unknown = mappings[indices[kind]]?.mappings._meta?.sitescanSchema;
    if (typeof version === 'number' && UPGRADABLE_FROM.includes(version)) {
      await client.indices.putMapping({ index: indices[kind], properties: MAPPINGS[kind].properties, _meta: MAPPINGS[kind]._meta });
      if (kind === 'searches') await fillScanKeys(client, indices.searches);
      version = ELASTIC_SCHEMA_VERSION;
    }
    if (version !== ELASTIC_SCHEMA_VERSION) {
      throw new Error(
        `index ${indices[kind]} has sitescan schema version ${JSON.stringify(version)}; this sitescan writes ${ELASTIC_SCHEMA_VERSION}` +
          ' (reindex it, or use another ELASTICSEARCH index prefix)',
      );
    }
  }
}

/** Searches written per round of `fillScanKeys`. */
const FILL_BATCH = 500;

/**
 * Gives every search document without a scan key its key, from its stored query. Idempotent: a
 * second node upgrading at the same time writes the same keys.
 */
async function fillScanKeys(client: Client, index: string): Promise<void> {
  for (;;) {
    const response = await client.search<{ query: BusinessQuery }>({
      index,
      query: { bool: { must_not: { exists: { field: 'scanKey' } } } },
      _source: ['query'],
      size: FILL_BATCH,
      track_total_hits: false,
    });
    const hits = response.hits.hits.filter((hit) => hit._id !== undefined && hit._source);
    if (hits.length === 0) return;
    const operations = hits.flatMap((hit) => [{ update: { _index: index, _id: hit._id } }, { doc: { scanKey: scanKeyOf(hit._source!.query) } }]);
    const result = await client.bulk({ operations, refresh: true });
    if (result.errors) {
      const failed = result.items.find((item) => item.update?.error)?.update?.error;
      throw new Error(`filling the scan keys of ${index} failed: ${failed?.type ?? 'unknown'}: ${failed?.reason ?? ''}`);
    }
  }
}

async function putTemplate(client: Client, kind: keyof ElasticIndexNames, index: string): Promise<void> {
  await client.indices.putIndexTemplate({
    name: index,
    // The exact name, no wildcard: templates of two prefixes can never overlap.
    index_patterns: [index],
    priority: TEMPLATE_PRIORITY,
    version: ELASTIC_SCHEMA_VERSION,
    _meta: { description: `sitescan ${kind}`, managedBy: 'sitescan' },
    template: {
      settings: {
        number_of_shards: 1,
        // 0 replicas on one node (health green), 1 as soon as a second data node joins.
        auto_expand_replicas: '0-1',
      },
      mappings: MAPPINGS[kind],
    },
  });
}

async function createIfMissing(client: Client, index: string): Promise<void> {
  try {
    await client.indices.create({ index });
  } catch (error) {
    // Another process (or an earlier start) created it: the version check after covers it.
    const type = error instanceof errors.ResponseError ? (error.body as { error?: { type?: string } } | undefined)?.error?.type : undefined;
    if (type !== 'resource_already_exists_exception') {
      throw error;
    }
  }
}

/** The largest result position stored, so new positions sort after it; 0 when there is none. */
export async function maxStoredPosition(client: Client, indices: ElasticIndexNames): Promise<number> {
  const response = await whileShardsStart(() =>
    client.search<unknown, { top: estypes.AggregationsMaxAggregate }>({
      index: indices.results,
      size: 0,
      track_total_hits: false,
      aggs: { top: { max: { field: 'position' } } },
    }),
  );
  return response.aggregations?.top.value ?? 0;
}

/** How long the first read of new indices may wait for their shards, ms. */
const SHARDS_START_MS = 15_000;

/**
 * Runs a read, again while the shards of a new index are still starting. Measured: three nodes
 * started together on a new prefix, the one that did not create the indices read "all shards
 * failed" (no_shard_available_action_exception) once in two starts although the cluster health
 * of the indices was already yellow.
 */
async function whileShardsStart<T>(read: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + SHARDS_START_MS;
  for (let waitMs = 50; ; waitMs = Math.min(waitMs * 2, 1_000)) {
    try {
      return await read();
    } catch (error) {
      const starting = error instanceof errors.ResponseError && error.statusCode === 503 && JSON.stringify(error.body).includes('no_shard_available_action_exception');
      if (!starting || Date.now() + waitMs > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
