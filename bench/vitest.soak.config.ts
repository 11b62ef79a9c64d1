import { defineConfig } from 'vitest/config';

// Only the soak; `npm test` never runs it (its include is test/**/*.test.ts).
export default defineConfig({
  test: { include: ['bench/soak.soak.ts'], testTimeout: 700_000, hookTimeout: 60_000, maxWorkers: 1, dangerouslyIgnoreUnhandledErrors: false },
});
