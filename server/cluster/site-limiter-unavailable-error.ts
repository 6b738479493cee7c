/** A site's shared limiter cannot admit: Redis failed, or the limiter was closed. */
export class SiteLimiterUnavailableError extends Error {
  override readonly name = 'SiteLimiterUnavailableError';
  constructor(
    readonly siteId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`${siteId}: shared rate limiter unavailable (${reason})`, options);
  }
}
