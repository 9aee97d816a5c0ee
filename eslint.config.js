// ESLint owns correctness, Prettier (.prettierrc.json) owns layout: `npm run lint` runs both, `npm run format` fixes both.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.bubble/', '.tmp/', 'prisma/generated/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // Prettier owns line length (printWidth 140).
      'max-len': 'off',
      // Matching control characters is the job of the escaping, sanitising and ANSI-stripping code here.
      'no-control-regex': 'off',
      // A leading `_` marks what is left unused on purpose: a key split off a rest object, a callback's unread parameter.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `let client; … () => client …; client = create(…)`: a closure handed out before the value it reads exists.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The few plain-JavaScript files (jest's global setup, child processes in tests) run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
