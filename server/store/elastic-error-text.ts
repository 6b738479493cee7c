import { errors } from '@elastic/elasticsearch';

/**
 * A failure of a request to Elasticsearch in one line for logs and health: the status, error type
 * and reason Elasticsearch answered, or the name and message of anything else thrown.
 */
export function elasticErrorText(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const cause = (error.body as { error?: { type?: string; reason?: string } } | undefined)?.error;
    return `${error.statusCode ?? '?'} ${cause?.type ?? error.name}: ${cause?.reason ?? error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
