import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'test-output/**', 'bench-results/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // No import cycles anywhere (DESIGN.md, "Parts and how data flows"): a cycle is two modules that can only change
    // together. Type-only imports count too, so the type graph stays a tree as well.
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: import.meta.dirname + '/tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The determinism boundary (CONVENTIONS.md, convention 1): workflow code runs in Temporal's sandbox and
    // replays from history, so it may not touch Node built-ins or import activity code as values.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code may not import Node built-ins.' })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only.',
            },
            {
              group: ['**/records', '**/records/**'],
              allowTypeImports: true,
              message: 'Workflows import the records repository as types only: records are written by activities.',
            },
            { group: ['mongodb', 'fastify', 'pino', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'Not allowed in workflow code.' },
            {
              group: ['**/client', '**/client/**', '**/worker', '**/worker/**', '**/emulator', '**/emulator/**', '**/dev/**', '**/test/**'],
              message: 'Workflows import only the vocabulary (domain/), their own files and types.',
            },
          ],
        },
      ],
    },
  },
  // Import directions (DESIGN.md, "Parts and how data flows"), one block per folder.
  {
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/**/workflow', '**/workflows/**/state', '**/workflows/**/messages', '**/workflows/**/ids', '**/workflows/**/search-attributes', '**/workflows', '**/workflows/index'],
              allowTypeImports: true,
              message: 'Activities never import workflow runtime code (types and the input schemas only; shared values live in domain/).',
            },
            { group: ['**/client/**', '**/worker/**', '**/emulator/**', '**/dev/**', '**/test/**'], message: 'Activities import no process code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/worker', '**/worker/**'], message: 'Clients never import the worker: shared process code lives in client/temporal/.' },
            { group: ['**/emulator/**', '**/dev/**', '**/test/**', '**/bench/**', '**/soak/**'], message: 'Not from client code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['emulator/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/**', '**/activities/**', '**/client/**', '**/worker/**', '**/domain/**', '**/records/**'],
              message: 'The emulator is the other side of the boundary: it imports nothing of the service.',
            },
          ],
        },
      ],
    },
  },
  {
    // The records repository: the one module that touches MongoDB, imported by activities and clients alike.
    files: ['records/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/**', '**/activities', '**/activities/**', '**/client/**', '**/worker/**', '**/emulator/**', '**/dev/**', '**/test/**'],
              message: 'The records repository imports only the vocabulary (domain/) and the MongoDB driver.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The vocabulary is dependency-free.' })),
          patterns: [{ group: ['../**', '@temporalio/*', 'mongodb', 'fastify', 'pino'], message: 'The vocabulary is dependency-free (zod at most).' }],
        },
      ],
    },
  },
);
