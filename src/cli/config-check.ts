import { checkConfiguredActions } from '../actions/registry.ts';
import { systemClock } from '../adapters/clock.ts';
import { describeConfig, loadConfig, SEVERITY_IDS } from '../config/index.ts';
import { previewText } from '../escalation/preview-text.ts';
import { type CliCommand, EXIT } from './command.ts';

export const configCheckCommand: CliCommand = {
  name: 'config check',
  summary: 'Validate a configuration file and the environment; print a summary or every problem',
  usage: 'config check [FILE]',
  details:
    'FILE defaults to $FLEETBOT_CONFIG, then ./fleetbot.yml (built-in defaults when absent).\nExit 0 when valid, 2 with one line per problem when not.',
  positionals: [0, 1],
  async run({ positionals }, io) {
    const [file] = positionals;
    const config = loadConfig({ env: io.env, ...(file ? { file } : {}) });
    checkConfiguredActions(config);
    const now = systemClock.now();
    io.out(describeConfig(config, now));
    // Who would be paged when, per severity, for an incident opening now.
    io.out(
      [
        '',
        'Escalation if nobody acknowledges:',
        ...SEVERITY_IDS.map((id) => previewText(config, id, now)),
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
