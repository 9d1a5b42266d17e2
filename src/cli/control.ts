/**
 * The running bot's control socket: how `npm run cli -- invite|export|digest|backup|inbox …` works
 * while the bot holds the embedded database. The embedded database admits one process, so instead
 * of opening DATA_DIR a second time the CLI asks the bot to run the command and relays what it
 * prints; files it writes (`--out`) are written by the CLI process, with the operator's permissions.
 *
 * A Unix socket in DATA_DIR, created owner-only (0600): only the bot's own user can connect, and that
 * user can read DATA_DIR anyway. One JSON object per line each way:
 *   CLI → bot: {"argv": [...]}, then {"ack": id} or {"ack": id, "error": "…"} for each file;
 *   bot → CLI: {"o": base64} stdout, {"e": base64} stderr, {"open": id, "path": p} {"data": id, "b": base64}
 *   {"close": id} for a file, and last {"exit": status}.
 */
import { chmod, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from '../logger.js';
import type { CliIo } from './command.js';
import { AtomicFile, type OutputContent } from './output.js';

/** The control socket of a data directory. */
export function controlSocketPath(dataDir: string): string {
  return join(resolve(dataDir), 'control.sock');
}

// A Unix socket path longer than this does not fit sockaddr_un on Linux.
const MAX_SOCKET_PATH = 107;
const CHUNK = 48 * 1024;
const MAX_CONNECTIONS = 4;

type Frame = Record<string, unknown>;

/** Splits a socket's bytes into JSON frames. */
function onFrames(socket: Socket, handle: (frame: Frame) => void, onBad: (line: string) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim() === '') continue;
      let frame: Frame;
      try {
        frame = JSON.parse(line) as Frame;
      } catch {
        onBad(line);
        continue;
      }
      handle(frame);
    }
  });
}

/** Writes one frame, waiting while the socket's buffer is full (a backup is many frames). */
async function send(socket: Socket, frame: Frame): Promise<void> {
  if (socket.destroyed) throw new Error('the CLI went away');
  if (!socket.write(`${JSON.stringify(frame)}\n`)) {
    await new Promise<void>((resolveDrain, reject) => {
      const onClose = () => reject(new Error('the CLI went away'));
      socket.once('close', onClose);
      socket.once('drain', () => {
        socket.off('close', onClose);
        resolveDrain();
      });
    });
  }
}

/** A stream whose writes become frames of one kind. */
function frameStream(socket: Socket, key: 'o' | 'e', pending: Set<Promise<void>>): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const sending = send(socket, { [key]: bytes.toString('base64') });
      pending.add(sending);
      sending.then(
        () => {
          pending.delete(sending);
          done();
        },
        (error: Error) => {
          pending.delete(sending);
          done(error);
        },
      );
    },
  });
}

/** Runs one command inside the bot; the bot supplies it (src/cli/run.ts runInsideBot). */
export type ControlHandler = (argv: string[], io: CliIo) => Promise<number>;

/** A listening control socket. */
export interface ControlServer {
  path: string;
  /** Stops taking commands and waits for those running. */
  stop(): Promise<void>;
}

/**
 * Listens on DATA_DIR/control.sock (owner-only) and runs each connection's command with `handle`.
 * Resolves null, with a warning, where the socket cannot be made (a path too long for a socket).
 */
export async function startControlServer(
  dataDir: string,
  handle: ControlHandler,
  logger: Logger,
): Promise<ControlServer | null> {
  const path = controlSocketPath(dataDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    logger.warn(
      { path },
      'DATA_DIR is too deep for a control socket: CLI commands refuse while the bot runs instead of going through it',
    );
    return null;
  }
  // We hold DATA_DIR's lock, so a socket file there is a dead bot's.
  await rm(path, { force: true });
  const running = new Set<Promise<unknown>>();
  const server: Server = createServer({ allowHalfOpen: false }, (socket) => {
    const work = serve(socket, handle, logger);
    running.add(work);
    void work.finally(() => running.delete(work));
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    // The socket is created by listen() synchronously: with this umask it is 0600 from the start.
    const previous = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolveListen();
      });
    } finally {
      process.umask(previous);
    }
  });
  await chmod(path, 0o600);
  logger.info({ path }, 'control socket listening: CLI commands go through the running bot');
  return {
    path,
    async stop() {
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await Promise.allSettled([...running]);
      await rm(path, { force: true });
    },
  };
}

async function serve(socket: Socket, handle: ControlHandler, logger: Logger): Promise<void> {
  const acks = new Map<number, { resolve(): void; reject(error: Error): void }>();
  let started = false;
  let nextFile = 1;
  const pending = new Set<Promise<void>>();
  const finished = new Promise<void>((resolveServe) => {
    socket.on('close', () => {
      for (const ack of acks.values()) ack.reject(new Error('the CLI went away'));
      acks.clear();
      resolveServe();
    });
    socket.on('error', () => {});
  });
  onFrames(
    socket,
    (frame) => {
      if (!started && Array.isArray(frame.argv) && frame.argv.every((arg) => typeof arg === 'string')) {
        started = true;
        void runOne(frame.argv as string[]);
        return;
      }
      if (typeof frame.ack === 'number') {
        const ack = acks.get(frame.ack);
        acks.delete(frame.ack);
        if (typeof frame.error === 'string') ack?.reject(new Error(frame.error));
        else ack?.resolve();
      }
    },
    () => socket.destroy(),
  );
  const runOne = async (argv: string[]) => {
    const io: CliIo = {
      stdout: frameStream(socket, 'o', pending),
      stderr: frameStream(socket, 'e', pending),
      async writeOutput(path: string, content: OutputContent) {
        const id = nextFile++;
        const acked = new Promise<void>((resolveAck, reject) =>
          acks.set(id, { resolve: resolveAck, reject }),
        );
        acked.catch(() => {});
        await send(socket, { open: id, path });
        const chunks =
          typeof content === 'string' || content instanceof Uint8Array ? [Buffer.from(content)] : content;
        for await (const chunk of chunks) {
          for (let offset = 0; offset < chunk.length; offset += CHUNK) {
            const piece = Buffer.from(chunk.subarray(offset, offset + CHUNK));
            await send(socket, { data: id, b: piece.toString('base64') });
          }
        }
        await send(socket, { close: id });
        await acked;
      },
    };
    let status: number;
    try {
      status = await handle(argv, io);
    } catch (error) {
      logger.error({ err: error, command: argv[0] }, 'CLI command failed inside the bot');
      io.stderr.write(
        `${argv[0] ?? 'command'} failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      status = 1;
    }
    await Promise.allSettled([...pending]);
    await send(socket, { exit: status }).catch(() => {});
    socket.end();
  };
  await finished;
}

/** Thrown when the bot holds DATA_DIR but its control socket does not answer. */
export class ControlUnavailableError extends Error {}

/**
 * Runs `argv` inside the bot that holds `dataDir` and relays its output to `io`; resolves with the
 * command's exit status. Files the command writes are written here, and only at paths named in `argv`.
 */
export async function runThroughBot(
  dataDir: string,
  argv: readonly string[],
  io: Pick<CliIo, 'stdout' | 'stderr'>,
): Promise<number> {
  const path = controlSocketPath(dataDir);
  const socket = createConnection(path);
  await new Promise<void>((resolveConnect, reject) => {
    socket.once('connect', resolveConnect);
    socket.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ControlUnavailableError(`the bot's control socket ${path} does not answer (${error.code})`)),
    );
  });
  const files = new Map<number, AtomicFile>();
  return new Promise<number>((resolveRun, reject) => {
    let status: number | undefined;
    const fail = (error: Error) => {
      for (const file of files.values()) file.abort();
      files.clear();
      socket.destroy();
      reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => {
      for (const file of files.values()) file.abort();
      if (status === undefined)
        reject(new Error('the bot closed the control socket before the command ended'));
      else resolveRun(status);
    });
    const reply = (frame: Frame) => socket.write(`${JSON.stringify(frame)}\n`);
    onFrames(
      socket,
      (frame) => {
        if (typeof frame.o === 'string') io.stdout.write(Buffer.from(frame.o, 'base64'));
        else if (typeof frame.e === 'string') io.stderr.write(Buffer.from(frame.e, 'base64'));
        else if (typeof frame.open === 'number' && typeof frame.path === 'string') {
          // The bot may write only the files the operator named on this command line.
          if (!argv.includes(frame.path)) {
            reply({
              ack: frame.open,
              error: `refused to write ${frame.path}: not named on the command line`,
            });
            return;
          }
          try {
            files.set(frame.open, new AtomicFile(frame.path));
          } catch (error) {
            reply({ ack: frame.open, error: (error as Error).message });
          }
        } else if (typeof frame.data === 'number' && typeof frame.b === 'string') {
          files.get(frame.data)?.write(Buffer.from(frame.b, 'base64'));
        } else if (typeof frame.close === 'number') {
          const file = files.get(frame.close);
          files.delete(frame.close);
          if (!file) return;
          try {
            file.commit();
            reply({ ack: frame.close });
          } catch (error) {
            file.abort();
            reply({ ack: frame.close, error: (error as Error).message });
          }
        } else if (typeof frame.exit === 'number') status = frame.exit;
      },
      () => fail(new Error('the bot sent something that is not a control frame')),
    );
    reply({ argv });
  });
}
