// The browser tests and audio fixtures need Debian's chromium, sox and espeak-ng, and the FLAC decoder's tests the
// reference flac CLI. Install them when missing (as root, on Debian) or say exactly what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = [
  ['chromium', '/usr/bin/chromium'],
  ['sox', '/usr/bin/sox'],
  ['espeak-ng', '/usr/bin/espeak-ng'],
  ['flac', '/usr/bin/flac'],
];
const missing = needed.filter(([, path]) => !existsSync(path)).map(([pkg]) => pkg);
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
  console.error(
    `[system-deps] Expected ${missing.join(', ')} to be installed, found none at their usual paths.\n` +
      `  Install them with: sudo apt-get install -y ${missing.join(' ')}`,
  );
  process.exit(1);
}
console.log(`[system-deps] Installing ${missing.join(', ')} with apt-get…`);
const run = (args) =>
  spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
if (run(['update', '-qq']).status !== 0 || run(['install', '-y', '-qq', ...missing]).status !== 0) {
  console.error(`[system-deps] apt-get could not install ${missing.join(', ')}`);
  process.exit(1);
}
