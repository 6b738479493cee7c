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
