import * as z from 'zod';
import { defaultText, type SettingValues, type Settings } from '../../definitions/function-settings';

/**
 * A function's configuration, read once at cold start from the variables its definition declares
 * (definitions/service-functions.ts) and from nothing else: `loadSettings(serviceFunctions.x)`
 * types the result by that declaration, so reading an undeclared variable does not compile. An
 * unset variable takes the default the deployments would have written; a value a setting's
 * schema refuses fails the cold start.
 */
export function loadSettings<S extends Settings>(
  definition: { readonly settings: S },
  env: NodeJS.ProcessEnv = process.env,
): SettingValues<S> {
  const entries = Object.entries(definition.settings);
  const schema = z.object(
    Object.fromEntries(entries.map(([variable, setting]) => [variable, setting.schema])),
  );
  const text = Object.fromEntries(
    entries.map(([variable, setting]) => [variable, env[variable] ?? defaultText(setting)]),
  );
  return schema.parse(text) as SettingValues<S>;
}
