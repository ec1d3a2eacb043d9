/** The plugin API version this build of Harvester speaks. A manifest with another version fails at startup. */
export const PLUGIN_API_VERSION = 1 as const;
export type PluginApiVersion = typeof PLUGIN_API_VERSION;

/** Plugin ids: kebab-case, starting with a letter. */
export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
