/**
 * The node flags tests start the real bot and CLI processes with, before the entry point.
 *
 * `--liftoff-only`: V8 first compiles the embedded database's WebAssembly with its baseline compiler,
 * then compiles the functions that run often a second time with its optimising compiler, on four
 * background threads. A bot process that lives for seconds, as in a test, pays that second compile and
 * never profits from it: a restart followed by 4 s of idling took 2.6 s of CPU with it and 1.3 s
 * without, a first start 8.3 s and 5.9 s (2-core bench machine, 2026-12-07), and the PGlite test run is
 * bound by CPU. The flag changes how V8 compiles PGlite, not what the product does; `npm start`, the
 * bench and production run without it. `TEST_CHILD_NODE_FLAGS=` (empty) starts them exactly as
 * `npm start` does.
 */
export const CHILD_NODE_FLAGS: readonly string[] =
  process.env.TEST_CHILD_NODE_FLAGS === undefined
    ? ['--liftoff-only']
    : process.env.TEST_CHILD_NODE_FLAGS.split(/\s+/).filter(Boolean);
