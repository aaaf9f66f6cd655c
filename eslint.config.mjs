// ESLint 9 flat config: @eslint/js and typescript-eslint's recommended rules (syntax only, no
// type information: fast on the whole tree), with the exceptions this code base has reasons for.
// `npm run lint`; the import direction between programs is checked by tsc -b and
// test/unit/layout.test.ts, not here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.cache/', 'test-results/', 'bench/*.local.*', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    rules: {
      // Unused names are mistakes, except the deliberate `_`-prefixed ones (ignored parameters, rest siblings).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Plain JavaScript scripts and tests run on Node: its globals are not undefined names.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', AbortController: 'readonly', performance: 'readonly',
        fetch: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', __dirname: 'readonly', require: 'readonly',
        AbortSignal: 'readonly', URLSearchParams: 'readonly', document: 'readonly', window: 'readonly',
      },
    },
  },
);
