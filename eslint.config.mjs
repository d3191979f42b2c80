// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'jest.config.js',
      'jest.fuzz.config.js',
      'jest.reliability.config.js',
      'test/summary-reporter.js',
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'test-artifacts/**',
      'eslint.config.mjs',
      'scripts/**/*.mjs',
      'src/sandbox/page/**/*.js',
      'src/invoices/pay-page/assets/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-console': 'error',
    },
  },
  // The layers of docs/ARCHITECTURE.md, held by lint: the mechanism knows no feature, the
  // simulators share no code with the clients they check, and a feature reaches another
  // feature's tables only through that feature's service.
  {
    files: ['src/machines/**/*.ts', 'src/runtime/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../admin/**',
                '../admin',
                '../channels/**',
                '../channels',
                '../conversations/**',
                '../conversations',
                '../health/**',
                '../health',
                '../inbound/**',
                '../inbound',
                '../invoices/**',
                '../invoices',
                '../merchants/**',
                '../merchants',
                '../pay-page/**',
                '../pay-page',
                '../payments/**',
                '../payments',
                '../reports/**',
                '../reports',
                '../retention/**',
                '../retention',
                '../sandbox/**',
                '../sandbox',
                '../stats/**',
                '../stats',
                '../../admin/**',
                '../../admin',
                '../../channels/**',
                '../../channels',
                '../../conversations/**',
                '../../conversations',
                '../../health/**',
                '../../health',
                '../../inbound/**',
                '../../inbound',
                '../../invoices/**',
                '../../invoices',
                '../../merchants/**',
                '../../merchants',
                '../../pay-page/**',
                '../../pay-page',
                '../../payments/**',
                '../../payments',
                '../../reports/**',
                '../../reports',
                '../../retention/**',
                '../../retention',
                '../../sandbox/**',
                '../../sandbox',
                '../../stats/**',
                '../../stats',
              ],
              message: 'machines/ and runtime/ import no feature (see docs/ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../channels/**',
                '../channels',
                '../payments/**',
                '../payments',
                '../conversations/**',
                '../conversations',
                '../../channels/**',
                '../../channels',
                '../../payments/**',
                '../../payments',
                '../../conversations/**',
                '../../conversations',
              ],
              message:
                'A simulator is written from PROTOCOLS.md, not from the client it checks: import nothing from channels/, payments/ or conversations/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/machines/**',
      'src/runtime/**',
      'src/sandbox/**',
      '**/*.spec.ts',
      '**/testing/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../*/*.repository',
                '../../*/*.repository',
                '!../runtime/*.repository',
                '!../../runtime/*.repository',
              ],
              message:
                "Another feature's tables are reached through its service, not its repository.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
