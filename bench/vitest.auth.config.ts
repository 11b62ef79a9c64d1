import { defineConfig } from 'vitest/config';

// Only the proxy authentication bench; `npm test` never runs it (its include is test/**/*.test.ts).
export default defineConfig({
  test: { include: ['bench/proxy-auth.bench.ts'], testTimeout: 300_000, hookTimeout: 60_000, maxWorkers: 1, dangerouslyIgnoreUnhandledErrors: false },
});
