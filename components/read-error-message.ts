/** Reads an API error answer as one sentence, with Retry-After when the server sent one. */
export async function readErrorMessage(response: Response): Promise<string> {
  let message = `the server answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const retryAfter = response.headers.get('retry-after');
  return retryAfter ? `${message} — try again in ${retryAfter} s` : message;
}

/**
 * Starts something with a POST whose answer names its page (`{url}`) and opens that page; resolves
 * with the line to show when it could not (refused: the server's reason; unreachable: why), and
 * with undefined once it navigates. Never rejects, so a button can start it and let it run.
 */
export async function startAndOpen(
  request: { readonly url: string; readonly init?: RequestInit; readonly what: string },
  open: (url: string) => void,
): Promise<string | undefined> {
  try {
    const response = await fetch(request.url, { method: 'POST', ...request.init });
    if (!response.ok) return `Could not ${request.what}: ${await readErrorMessage(response)}`;
    const { url } = (await response.json()) as { url: string };
    open(url);
    return undefined;
  } catch (error) {
    return `Could not reach sitescan: ${(error as Error).message}`;
  }
}
