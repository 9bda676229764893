// The configuration module: the only place in fleetbot that reads environment variables or
// fleetbot.yml. Everything else receives the frozen Config.
export type { Config } from './config.ts';
export { ConfigError, type ConfigProblem } from './config-error.ts';
export { describeConfig } from './describe-config.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { CONSOLE_VARIABLES, consoleEnabled, type LogLevel } from './env.ts';
export { type LoadConfigOptions, loadConfig } from './load-config.ts';
export { type MaintenanceWindow, nextMaintenanceWindow } from './maintenance-window.ts';
export { SEVERITY_IDS, type SeverityId, WEEKDAYS, type Weekday } from './schema-kit.ts';
