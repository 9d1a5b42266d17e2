/**
 * What may be said about an error in a log or a database column: its name, code and message,
 * without the query parameters that drizzle puts in the message of a failed query (they can
 * hold the text of a tip) and without anything the driver attached.
 */
export function describeError(error: unknown): { name: string; code?: string; message: string } {
  if (!(error instanceof Error)) return { name: 'unknown', message: 'non-error thrown' };
  const failedQuery = error.name === 'DrizzleQueryError' || error.message.startsWith('Failed query:');
  const source = failedQuery && error.cause instanceof Error ? error.cause : error;
  const code = (source as { code?: unknown }).code;
  const message = failedQuery && source === error ? 'query failed' : source.message;
  return {
    name: source.name,
    ...(typeof code === 'string' ? { code } : {}),
    // Postgres messages name constraints and types, not values (those are in `detail`, left out).
    message: message.split('\n')[0]?.slice(0, 300) ?? '',
  };
}

/** A pino serializer for `err` that logs describeError plus the stack's frames (no message text twice). */
export function errorSerializer(error: unknown): Record<string, unknown> {
  const described = describeError(error);
  // Only the frames: the stack's first lines repeat the message, parameters included.
  const frames =
    error instanceof Error ? (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)) : [];
  const stack = frames.slice(0, 8).join('\n');
  return { type: described.name, code: described.code, message: described.message, stack };
}
