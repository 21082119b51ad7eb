/**
 * asc flags of the SDK's test and built-in guests: the stub runtime, -O3, assertions compiled out,
 * `abort` aliased away (no `env.abort` import). `modex build` adds a few (ASC_BUILD_FLAGS, build.ts).
 */
export const ASC_FLAGS = ['--runtime', 'stub', '-O3', '--noAssert', '--use', 'abort='] as const;
