// Lint: typed rules plus the layer rules of docs/architecture.md, enforced here and by one
// tsconfig per layer (shared/ compiles with no Node or DOM types at all).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'zlib',
  'stream',
  'crypto',
  'url',
];

/** What no file of the renderer may import: it never touches the disk or Electron. */
const rendererPatterns = [
  { group: nodeBuiltins, message: 'The renderer never touches the disk: no Node modules.' },
  {
    group: ['electron', '**/electron/**'],
    message: 'The renderer talks to the back end only through renderer/src/api/.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'coverage/',
      'demo/',
      'test-results/',
      'playwright-report/',
      '.bench/',
      '.scratch/',
      'test/fixtures/',
      'tools/inspect-real/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json', './tsconfig.integration.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true } }],
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'shared/ is pure: no Node modules (rule 1).' },
            {
              group: ['electron', 'react', 'react-dom'],
              message: 'shared/ is pure: no Electron or React (rule 1).',
            },
            {
              group: ['**/electron/**', '**/renderer/**'],
              message: 'shared/ imports nothing outside shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/node/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron'],
              message: 'electron/node/ never imports Electron, so it runs in plain Node.',
            },
            {
              group: ['**/renderer/**', '**/electron/main/**', '**/electron/preload/**'],
              message: 'electron/node/ imports only shared/ and Node.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Advice for the React Compiler, which Salvage does not use; TanStack Virtual trips it.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': ['error', { patterns: rendererPatterns }],
    },
  },
  {
    // Integration tests of the renderer's state run the real back end in-process (never bundled).
    files: ['renderer/src/state/*.integration.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Components read the store; only the state layer calls the back end (rule 9).
    files: ['renderer/src/features/**', 'renderer/src/components/**', 'renderer/src/App.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererPatterns,
            {
              group: ['**/api/client*', '**/api/transport*'],
              importNamePattern: '^(?!BackendError$)',
              message: 'Features and components never call the back end: use the store.',
            },
          ],
        },
      ],
    },
  },
  {
    // Raw Electron IPC in one module each: the typed registration (main) and the bridge (preload).
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts'],
    ignores: ['electron/main/ipc/typedIpc.ts', 'electron/preload/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message:
                'Only electron/main/ipc/typedIpc.ts registers IPC, only the preload bridges it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/main/ipc/typedIpc.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcRenderer'],
              message: 'The main process never uses ipcRenderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Configs, and declarations of untyped packages, whose default export is given.
    files: ['**/*.config.ts', 'eslint.config.mjs', '**/*.d.ts'],
    rules: { 'no-restricted-exports': 'off' },
  },
);
