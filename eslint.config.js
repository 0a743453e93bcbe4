// ESLint flat config (ESM). Recommended, non type-checked rules to keep it fast.
import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default defineConfig(
  globalIgnores(['dist/', 'dist-bench/', 'node_modules/', '.data/', 'coverage/', 'bench/results/']),
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      // Nest modules are empty classes carrying decorators (`@Module({...}) export class X {}`).
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='master']",
          message:
            "TypeORM's pg pool is the injected PG_POOL (or poolOf in src/database/pool-of.ts), not driver.master.",
        },
      ],
    },
  },
  { files: ['src/database/pool-of.ts'], rules: { 'no-restricted-syntax': 'off' } },
  // The web console (browser code, Preact JSX): the same recommended rules.
  {
    files: ['console/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: { 'no-undef': 'off' },
  },
  // Keep last: switches off stylistic rules that Prettier owns.
  prettier,
);
