#!/usr/bin/env -S node --max-semi-space-size=1
// The flag on the line above keeps V8's young generation at 1 MB for a command run as `fleetbot …`
// (or `npx fleetbot …`): a one-shot command otherwise grows it to tens of MB while its modules load
// (`run health` 145 → 129 MB peak RSS, and faster: fewer pages to fault in). Servers are started
// as `node dist/cli.js start` (Dockerfile, npm start), which bypasses this line and keeps V8's defaults.
// The Node.js version is checked before anything is imported: on an older Node a dependency fails while
// loading, with an error that says nothing about the version (Node 20: "Cannot read properties of
// undefined (reading 'bind')"). Only syntax every Node.js since 14 parses may appear above the import.
const NEEDED_MAJOR = 24;
const found = process.versions.node;
if (Number(found.split('.')[0]) < NEEDED_MAJOR) {
  process.stderr.write(
    `fleetbot needs Node.js ${NEEDED_MAJOR} or newer, found ${found}: run it through npm (npm start, npx fleetbot …), which uses the Node.js ${NEEDED_MAJOR} that npm ci installs into node_modules, or install Node.js ${NEEDED_MAJOR} (nvm install ${NEEDED_MAJOR}).\n`,
  );
  process.exit(2);
}

// Compiled code (and stripped TypeScript) is cached on disk between runs: a CLI command compiles
// the same modules every time, and the cache halves what `--help` costs (0.57 → 0.30 s here).
const { enableCompileCache } = await import('node:module');
enableCompileCache();
const { runCli } = await import('./cli/run-cli.ts');
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
// Exit explicitly: a driver's lingering keep-alive socket must not keep a finished command running.
process.exit(code);
