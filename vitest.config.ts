import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'guest/**/*.test.ts', 'bench/**/*.test.ts'],
    // the compiled copy (npm run build) holds no tests, but never run anything from it
    exclude: [...configDefaults.exclude, 'dist/**', 'dist.build/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['src/l1/vitest-global-setup.ts'],
  },
});
