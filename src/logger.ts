import { isatty } from 'node:tty';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { errorSerializer } from './errors.js';

/** Where log lines go and how they look. */
export interface LogOutput {
  /** 1: stdout (the bot); 2: stderr (the CLI, whose stdout carries only its data). */
  fd?: 1 | 2;
  /** Write to this file instead of `fd` (tests read what a transport wrote). */
  path?: string;
  /** Human-readable lines (pino-pretty) instead of JSON; by default when `fd` is a terminal. */
  pretty?: boolean;
}

/** The options every logger shares, pretty or not: redaction happens here, before any output. */
function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { app: 'liaison-bot' },
    serializers: { err: errorSerializer, error: errorSerializer },
    // Belt and braces: fields that could carry what a person wrote are removed wherever they appear.
    redact: { paths: ['text', 'caption', '*.text', '*.caption', 'payload', '*.payload'], remove: true },
  };
}

/**
 * The application logger: JSON lines for a log shipper, or readable lines at a terminal. Callers log
 * ids and kinds, never message text or names; the redaction list removes such fields either way,
 * because pino redacts before the line reaches the pretty-printing transport.
 */
export function createLogger(level: string, output: DestinationStream | LogOutput = {}): Logger {
  const options = loggerOptions(level);
  // A destination stream lets the leak tests read every line the bot logs.
  if ('write' in output) return pino(options, output);
  const fd = output.fd ?? 1;
  const pretty = output.pretty ?? (output.path === undefined && isatty(fd));
  if (pretty) {
    return pino(
      options,
      pino.transport({
        target: 'pino-pretty',
        options: {
          destination: output.path ?? fd,
          colorize: output.path === undefined && isatty(fd),
          translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
          ignore: 'pid,hostname,app',
          // The process exits right after its last line (a refused start, the CLI): write it first.
          sync: true,
        },
      }),
    );
  }
  // Synchronous, as pino's default: a line logged just before process.exit is not lost.
  return pino(options, pino.destination({ dest: output.path ?? fd, sync: true }));
}

export type { Logger };
