import { type DestinationStream, pino, type Logger } from 'pino';
import { errorSerializer } from './errors.js';

/** The application logger: JSON lines on stdout. Callers log ids and kinds, never message text or names. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'liaison-bot' },
    serializers: { err: errorSerializer, error: errorSerializer },
    // Belt and braces: fields that could carry what a person wrote are removed wherever they appear.
    redact: { paths: ['text', 'caption', '*.text', '*.caption', 'payload', '*.payload'], remove: true },
  };
  // A destination lets the leak tests read every line the bot logs.
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
