/** Shared by the build error tests: what `buildApp(dir)` throws, checked to be a ModexError. */
import { expect } from 'vitest';
import { ModexError } from '../core/errors.ts';
import { buildApp } from './build.ts';

export async function buildError(dir: string): Promise<ModexError> {
  const e = await buildApp(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModexError);
  return e as ModexError;
}
