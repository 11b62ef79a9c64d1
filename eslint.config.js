// ESLint (flat config) with typescript-eslint's recommended rules over the agent, the tests, the benches and the
// dashboard generator. Run by the test command.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // build/ holds the Windows package's staging tree (its compiled agent and node_modules) after npm run package:windows.
  { ignores: ['dist/**', 'dist-bench/**', 'dist-dashboards/**', 'node_modules/**', 'coverage/**', 'build/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', __dirname: 'readonly', structuredClone: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', fetch: 'readonly' },
    },
    rules: {
      // Unused arguments named with a leading underscore are deliberate (callback shapes).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
