/** Chain configuration: format, defaults, validation and loading. */
export { appWasmPath, checkConfigApp } from './app.ts';
export { DEFAULTS, withDefaults } from './defaults.ts';
export { ConfigError, ConfigFileError, type ConfigIssue } from './errors.ts';
export { loadConfig, parseConfigText, validateConfig } from './load.ts';
export { MODULE_STATUS, type ModuleStatus } from './modules.ts';
export { summarizeConfig } from './summary.ts';
export type * from './types.ts';
