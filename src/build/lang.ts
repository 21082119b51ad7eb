/**
 * The language of an app (docs/build.md "Languages"): `"lang"` of modex.app.json, else the entry's
 * extension, else which default entry exists (main.ts, main.c, main.rs).
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';

export const LANGS = ['as', 'c', 'rust'] as const;
export type Lang = (typeof LANGS)[number];

/** the entry file of each language when modex.app.json names none */
export const DEFAULT_ENTRIES: Record<Lang, string> = { as: 'main.ts', c: 'main.c', rust: 'main.rs' };

const BY_EXTENSION: Record<string, Lang> = { '.ts': 'as', '.c': 'c', '.rs': 'rust' };

export const isLang = (x: unknown): x is Lang =>
  typeof x === 'string' && (LANGS as readonly string[]).includes(x);

/** The app's language from its config (`lang`, `entry`) and, lacking both, its files. */
export function detectLang(dir: string, cfg: { lang?: Lang; entry?: string }): Lang {
  if (cfg.lang) return cfg.lang;
  if (cfg.entry) return BY_EXTENSION[extname(cfg.entry)] ?? 'as';
  for (const lang of LANGS) if (existsSync(join(dir, DEFAULT_ENTRIES[lang]))) return lang;
  return 'as';
}
