// Issue #19, point 5: the deployment files are kept true by tests where this machine allows. No
// Docker engine runs here, so the Dockerfile is checked against what CI and the README run; the
// systemd unit is checked by systemd-analyze when it is installed.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKeyFilePath } from '../../src/crypto/key-store.js';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const manifest = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

/** The Dockerfile's instructions, continuation lines joined, comments dropped, per stage. */
function dockerStages(): { name: string; from: string; steps: { op: string; args: string }[] }[] {
  const instructions = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { name: string; from: string; steps: { op: string; args: string }[] }[] = [];
  for (const line of instructions) {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op === 'FROM') {
      const [from = '', , name = ''] = rest;
      stages.push({ name, from, steps: [] });
    } else stages.at(-1)?.steps.push({ op, args });
  }
  return stages;
}

/** The folders the built code reads at run time (resourcePath('x', …) in src/). */
function resourceFolders(): string[] {
  const found = new Set<string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        for (const match of read(path).matchAll(/resourcePath\('([^']+)'/g)) found.add(match[1] as string);
      }
    }
  };
  walk('src');
  return [...found].sort();
}

describe('the Dockerfile', () => {
  const stages = dockerStages();
  const build = stages.find((stage) => stage.name === 'build');
  const runtime = stages.at(-1);
  const ci = read('.ci/run');
  const readme = read('README.md');

  it('is multi-stage, on the Node major .nvmrc names', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const major = read('.nvmrc').trim();
    expect(read('Dockerfile')).toContain(`ARG NODE_VERSION=${major}`);
    for (const stage of stages) expect(stage.from).toMatch(/^node:\$\{NODE_VERSION\}-/);
    expect(manifest.engines.node).toMatch(new RegExp(`^>=${major}\\.`));
  });

  it('builds with the install and build commands CI runs', () => {
    const runs = build?.steps.filter((step) => step.op === 'RUN').map((step) => step.args) ?? [];
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(ci).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain('npm run build');
    expect(manifest.scripts.build).toBeDefined();
  });

  it('installs only the production dependencies as the README says, and starts as npm start does', () => {
    const runs = runtime?.steps.filter((step) => step.op === 'RUN').map((step) => step.args) ?? [];
    const install = runs.find((run) => run.includes('npm ci'));
    expect(install).toContain('npm ci --omit=dev --no-audit --no-fund');
    expect(readme).toContain('npm ci --omit=dev --no-audit --no-fund');
    const cmd = runtime?.steps.find((step) => step.op === 'CMD')?.args;
    const started = (JSON.parse(cmd ?? '[]') as string[]).join(' ');
    expect(manifest.scripts.start?.replace(/^exec /, '')).toBe(started);
    expect(runtime?.steps.some((step) => step.op === 'USER' && step.args !== 'root')).toBe(true);
    expect(runtime?.steps.some((step) => step.op === 'VOLUME' && step.args === '/data')).toBe(true);
    // The generated key's default place for DATA_DIR=/data is a volume of its own, made for the user.
    const keyFolder = dirname(defaultKeyFilePath('/data'));
    expect(runtime?.steps.some((step) => step.op === 'VOLUME' && step.args === keyFolder)).toBe(true);
    expect(runs.some((run) => run.includes(`mkdir -p /data ${keyFolder}`))).toBe(true);
  });

  it('copies into the runtime image every folder the built code reads, and the install scripts', () => {
    const copied = (runtime?.steps ?? [])
      .filter((step) => step.op === 'COPY')
      .map((step) => step.args.split(/\s+/).at(-1)?.replace(/^\.\//, '') ?? '');
    for (const folder of [...resourceFolders(), 'dist', 'scripts']) {
      expect({ folder, copied: copied.includes(folder) }).toEqual({ folder, copied: true });
    }
  });
});

describe('compose.yaml', () => {
  const compose = read('compose.yaml');
  it('runs PostgreSQL 15, keeps DATA_DIR in a volume and the data key as a secret', () => {
    expect(compose).toMatch(/image: postgres:15\b/);
    expect(compose).toContain('- data:/data');
    expect(compose).toContain('DATA_DIR: /data');
    expect(compose).toMatch(/secrets:\n\s+data_key:\n\s+file: /);
    expect(compose).toContain('DATA_KEY="$$(cat /run/secrets/data_key)"');
    expect(compose).toContain(`exec ${manifest.scripts.start?.replace(/^exec /, '')}`);
    expect(compose).not.toMatch(/DATA_KEY:\s*\S/);
  });
});

describe('deploy/liaison-bot.service', () => {
  const unit = read('deploy/liaison-bot.service');

  it('restarts on failure, reads an environment file, owns its state folder, and is hardened', () => {
    for (const line of [
      'Restart=on-failure',
      'EnvironmentFile=/etc/liaison-bot/env',
      'StateDirectory=liaison-bot liaison-bot-key liaison-bot-backups',
      'UMask=0077',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    // ProtectSystem=strict: the generated key's default folder must be one of its state folders.
    expect(unit).toContain('Environment=DATA_DIR=/var/lib/liaison-bot\n');
    expect(dirname(defaultKeyFilePath('/var/lib/liaison-bot'))).toBe('/var/lib/liaison-bot-key');
    expect(unit).toContain(
      `ExecStart=/usr/bin/node /opt/liaison-bot/${manifest.scripts.start?.replace(/^exec node /, '')}`,
    );
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  it.skipIf(analyze.status !== 0)(
    'passes systemd-analyze verify without a warning, and its security exposure is low',
    () => {
      const verify = spawnSync('systemd-analyze', ['verify', join(root, 'deploy/liaison-bot.service')], {
        encoding: 'utf8',
      });
      expect({ status: verify.status, output: `${verify.stdout}${verify.stderr}`.trim() }).toEqual({
        status: 0,
        output: '',
      });
      const security = spawnSync(
        'systemd-analyze',
        ['security', '--offline=yes', join(root, 'deploy/liaison-bot.service')],
        { encoding: 'utf8' },
      );
      const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1]);
      expect(exposure).toBeLessThanOrEqual(2);
    },
  );
});
