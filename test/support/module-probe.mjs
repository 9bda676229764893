// Loaded with `node --import` into a fleetbot process: records every module it loads, and on exit
// writes the npm packages among them (name → modules loaded) as JSON to MODULE_PROBE_OUT.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, next) {
    loaded.add(url);
    return next(url, context);
  },
});
process.on('exit', () => {
  const packages = {};
  for (const url of loaded) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (name) packages[name] = (packages[name] ?? 0) + 1;
  }
  writeFileSync(process.env.MODULE_PROBE_OUT ?? '', JSON.stringify(packages));
});
