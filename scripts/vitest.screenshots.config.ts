import { defineConfig } from 'vitest/config';

// Only `npm run screenshots`; `npm test` never runs it (its include is test/**/*.test.ts).
export default defineConfig({
  test: { include: ['scripts/screenshots.ts'], testTimeout: 180_000, hookTimeout: 60_000, maxWorkers: 1, dangerouslyIgnoreUnhandledErrors: false },
});
