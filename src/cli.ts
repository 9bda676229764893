#!/usr/bin/env node
import { runCli } from './cli/run-cli.ts';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
// Exit explicitly: a driver's lingering keep-alive socket must not keep a finished command running.
process.exit(code);
