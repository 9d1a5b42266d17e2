import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseKeyring } from './crypto/sealing.js';
import { isValidCron } from './domain/periods.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Faults the end-to-end tests inject into the real process; refused unless NODE_ENV=test:
 * `handler-throws-once` fails the first handling of a message containing "#fault";
 * `crash-after-store` kills the process right after storing a batch containing "#crash".
 */
export const FAULTS = ['handler-throws-once', 'crash-after-store'] as const;
export type Fault = (typeof FAULTS)[number];

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const tcpPort = (message: string) =>
  z.coerce.number({ message }).int({ message }).min(0, { message }).max(65535, { message });

/**
 * Telegram's limit is 1-256 characters; a short one can be guessed by anyone who finds the webhook's
 * address, so the bot asks for 32 or more (a random one: `openssl rand -hex 32`, 64 characters).
 */
const WEBHOOK_SECRET_RULE =
  'at least 32 characters (at most 256) of A-Z a-z 0-9 _ - (make one: openssl rand -hex 32)';

const cronExpression = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine(isValidCron, { message: 'a cron expression such as "30 8 * * *" (5 or 6 fields)' });

const telegramIds = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const ids: number[] = [];
    for (const part of value
      .split(',')
      .map((piece) => piece.trim())
      .filter(Boolean)) {
      if (!/^\d{1,16}$/.test(part)) {
        ctx.addIssue({
          code: 'custom',
          message: `comma-separated numeric Telegram user ids; "${part}" is not one`,
        });
        return z.NEVER;
      }
      ids.push(Number(part));
    }
    return ids;
  });

const baseSchema = z.object({
  BOT_TOKEN: z
    .string({ error: 'required: the bot token from @BotFather (send /newbot to @BotFather in Telegram)' })
    .trim()
    .regex(/^\d+:[\w-]+$/, { message: 'a bot token like 123456:ABC-DEF… from @BotFather' }),
  TELEGRAM_API_ROOT: z
    .url({ message: 'an http(s) URL of a Bot API server' })
    .default('https://api.telegram.org'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'a postgres://user@host:port/database URL' })
      .optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  ADMIN_IDS: telegramIds,
  TIMEZONE: z
    .string()
    .trim()
    .default('Asia/Shanghai')
    .refine(isKnownTimeZone, { message: 'an IANA time zone such as Asia/Shanghai' }),
  DIGEST_DAILY: cronExpression('30 8 * * *'),
  DIGEST_WEEKLY: cronExpression('0 9 * * 1'),
  DIGEST_MONTHLY: cronExpression('0 9 1 * *'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /**
   * 1 lets DEBUG switch on telegraf's debug output, which prints every Bot API call with its text
   * (tips included); otherwise telegraf's namespaces are taken out of DEBUG at start (src/debug-guard.ts).
   */
  LOG_UNSAFE_DEBUG: z
    .enum(['0', '1'], { message: '1 (let DEBUG print telegraf calls, tip texts included) or 0' })
    .default('0')
    .transform((value) => value === '1'),
  /** Only `test` matters here: it admits FAULT_INJECTION (checked in loadConfig). */
  NODE_ENV: optionalText,
  /** The local listener for /healthz, /readyz and /metrics; none when unset. */
  METRICS_PORT: tcpPort('a TCP port number 0-65535 (0: any free port, logged at start)').optional(),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  FAULT_INJECTION: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(FAULTS, { message: `comma-separated, of: ${FAULTS.join(', ')}` }))),
  /**
   * Test-only: the instant the process's clock starts at (ISO 8601 with an offset), running on from there,
   * so an end-to-end test can be "the day before a holiday". Refused unless NODE_ENV=test (loadConfig).
   */
  TEST_CLOCK_START: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      // With its offset (else the instant would depend on the machine's zone), and a real day.
      const parsed = DateTime.fromISO(value, { setZone: true });
      const at =
        parsed.isValid && /(Z|[+-]\d{2}:\d{2})$/.test(value) && /T\d{2}:\d{2}/.test(value)
          ? parsed.toJSDate()
          : new Date(Number.NaN);
      if (Number.isNaN(at.getTime())) {
        ctx.addIssue({
          code: 'custom',
          message: 'an ISO 8601 instant with its offset, e.g. 2027-09-30T15:00:00+08:00',
        });
        return z.NEVER;
      }
      return at;
    }),
  DATA_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        return parseKeyring(value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message:
            'comma-separated base64 keys of 32 bytes, current first (make one: openssl rand -base64 32)',
        });
        return z.NEVER;
      }
    }),
  // Where a generated key is kept when DATA_KEY is unset; default beside DATA_DIR (src/crypto/key-store.ts).
  DATA_KEY_FILE: optionalText,
  RETENTION_YEARS: z.coerce
    .number({ message: 'a whole number of years, at least 1' })
    .int({ message: 'a whole number of years, at least 1' })
    .min(1, { message: 'a whole number of years, at least 1' })
    .default(5),
  ALERT_BATCH_MINUTES: z.coerce
    .number({ message: 'a whole number of minutes from 0 (post at once) to 1440' })
    .int({ message: 'a whole number of minutes from 0 (post at once) to 1440' })
    .min(0, { message: 'a whole number of minutes from 0 (post at once) to 1440' })
    .max(1440, { message: 'a whole number of minutes from 0 (post at once) to 1440' })
    .default(10),
  ADMIN_ONLY_UNITS: z
    .string()
    .default('ZZB')
    .transform((value) =>
      value
        .split(',')
        .map((code) => code.trim().toUpperCase())
        .filter(Boolean),
    ),
  // Scheduled backups (src/backup/schedule.ts): off unless BACKUP_DIR is set.
  BACKUP_DIR: optionalText,
  BACKUP_CRON: cronExpression('0 3 * * *'),
  BACKUP_KEEP: z.coerce
    .number({ message: 'a whole number of backups to keep, at least 1' })
    .int({ message: 'a whole number of backups to keep, at least 1' })
    .min(1, { message: 'a whole number of backups to keep, at least 1' })
    .default(7),
});

const pollingSchema = baseSchema.extend({ BOT_MODE: z.literal('polling').default('polling') });

const webhookSchema = baseSchema.extend({
  BOT_MODE: z.literal('webhook'),
  WEBHOOK_URL: z.url({ message: 'required in webhook mode: the public https URL Telegram posts updates to' }),
  WEBHOOK_SECRET: z
    .string({ error: `required in webhook mode: ${WEBHOOK_SECRET_RULE}` })
    .regex(/^[A-Za-z0-9_-]{32,256}$/, { message: WEBHOOK_SECRET_RULE }),
  PORT: tcpPort('a TCP port number 0-65535').default(8080),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
});

const envSchema = z.discriminatedUnion('BOT_MODE', [pollingSchema, webhookSchema], {
  error: 'polling or webhook',
});

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every environment variable the schema reads, in either mode (`.env.example` must list exactly these:
 * test/deploy/env-example.test.ts).
 */
export const CONFIG_VARIABLES: readonly string[] = [
  ...new Set([...Object.keys(pollingSchema.shape), ...Object.keys(webhookSchema.shape)]),
];

/** The validated environment, polling or webhook variant. */
export type Env = z.infer<typeof envSchema>;

/** Everything the application reads from its environment, typed and checked. */
export interface AppConfig {
  botToken: string;
  apiRoot: string;
  databaseUrl: string | undefined;
  dataDir: string;
  adminIds: readonly number[];
  timeZone: string;
  digestSchedules: { daily: string; weekly: string; monthly: string };
  logLevel: (typeof LOG_LEVELS)[number];
  adminOnlyUnits: readonly string[];
  /**
   * The data keyring from DATA_KEY, current key first; undefined on the embedded default without
   * DATA_KEY, where the key lives in a key file (src/crypto/key-store.ts).
   */
  dataKeys: readonly Buffer[] | undefined;
  /**
   * DATA_KEY_FILE: where the key file is when DATA_KEY is unset; undefined for the default,
   * `<DATA_DIR>-key/data.key` (or an existing installation's DATA_DIR/data.key).
   */
  dataKeyFile: string | undefined;
  /** Concluded, filed, merged and closed items older than this many years lose their content. */
  retentionYears: number;
  /** Must-investigate alerts go out at the next multiple of this many minutes (0: at once). */
  alertBatchMinutes: number;
  /** Scheduled backups: into `dir` (none when unset) on `cron` in TIMEZONE, the newest `keep` kept. */
  backup: { dir: string | undefined; cron: string; keep: number };
  /** Test-only fault injection (FAULT_INJECTION, admitted only with NODE_ENV=test); empty in production. */
  faults: readonly Fault[];
  /** Test-only: where the clock starts (TEST_CLOCK_START, admitted only with NODE_ENV=test); unset in production. */
  clockStart: Date | undefined;
  /** LOG_UNSAFE_DEBUG=1: DEBUG may switch on telegraf's debug output, which prints message texts. */
  unsafeDebug: boolean;
  /** The local /healthz, /readyz and /metrics listener (METRICS_PORT, METRICS_HOST); none when unset. */
  metrics: { port: number; host: string } | undefined;
  mode: { kind: 'polling' } | { kind: 'webhook'; url: string; secret: string; port: number; host: string };
}

/** Thrown when the environment is invalid; `problems` has one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
  }
}

/** Validates an environment (process.env by default) into an AppConfig, or throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const input = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  if (input.BOT_MODE === undefined) input.BOT_MODE = 'polling';
  const parsed = envSchema.safeParse(input);
  const byVariable = new Map<string, string>();
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const variable = String(issue.path[0] ?? 'BOT_MODE');
    if (!byVariable.has(variable)) byVariable.set(variable, issue.message);
  }
  // Faults kill the process or fail handlings on purpose: never where real reports arrive.
  if (
    input.FAULT_INJECTION !== undefined &&
    input.NODE_ENV !== 'test' &&
    !byVariable.has('FAULT_INJECTION')
  ) {
    byVariable.set(
      'FAULT_INJECTION',
      'nothing outside tests: faults are refused unless NODE_ENV=test (remove FAULT_INJECTION)',
    );
  }
  // A moved clock makes due dates and digests lie: never where real reports arrive.
  if (
    input.TEST_CLOCK_START !== undefined &&
    input.NODE_ENV !== 'test' &&
    !byVariable.has('TEST_CLOCK_START')
  ) {
    byVariable.set(
      'TEST_CLOCK_START',
      'nothing outside tests: a set clock is refused unless NODE_ENV=test (remove TEST_CLOCK_START)',
    );
  }
  if (!parsed.success || byVariable.size > 0) {
    throw new ConfigError(
      [...byVariable].map(
        ([variable, message]) => `${variable}: ${describeValue(variable, source)}${message}`,
      ),
    );
  }
  const env = parsed.data;
  return {
    botToken: env.BOT_TOKEN,
    apiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    adminIds: env.ADMIN_IDS,
    timeZone: env.TIMEZONE,
    digestSchedules: { daily: env.DIGEST_DAILY, weekly: env.DIGEST_WEEKLY, monthly: env.DIGEST_MONTHLY },
    logLevel: env.LOG_LEVEL,
    adminOnlyUnits: env.ADMIN_ONLY_UNITS,
    dataKeys: env.DATA_KEY,
    dataKeyFile: env.DATA_KEY_FILE,
    retentionYears: env.RETENTION_YEARS,
    alertBatchMinutes: env.ALERT_BATCH_MINUTES,
    backup: { dir: env.BACKUP_DIR, cron: env.BACKUP_CRON, keep: env.BACKUP_KEEP },
    faults: env.FAULT_INJECTION,
    clockStart: env.TEST_CLOCK_START,
    unsafeDebug: env.LOG_UNSAFE_DEBUG,
    metrics: env.METRICS_PORT === undefined ? undefined : { port: env.METRICS_PORT, host: env.METRICS_HOST },
    mode:
      env.BOT_MODE === 'webhook'
        ? {
            kind: 'webhook',
            url: env.WEBHOOK_URL,
            secret: env.WEBHOOK_SECRET,
            port: env.PORT,
            host: env.HOST,
          }
        : { kind: 'polling' },
  };
}

// Secrets are never echoed back; other values are, so the operator sees what was read.
function describeValue(variable: string, source: Record<string, string | undefined>): string {
  const value = source[variable];
  if (value === undefined || value.trim() === '') return '';
  if (/TOKEN|SECRET|KEY|DATABASE_URL/.test(variable)) return 'invalid value; expected ';
  return `"${value}" is invalid; expected `;
}
