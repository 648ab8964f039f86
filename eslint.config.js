import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/** Note [Layering]: what each part of main/ may import, checked here rather than by review. */
const ENGINE_RULES = {
  paths: [{ name: 'electron', message: 'Engine folders never import electron; only main/app wires it.' }, { name: 'better-sqlite3', message: 'SQL lives in main/storage/.' }],
  patterns: [
    { group: ['**/cli/*', '**/app/*'], message: 'The engine never imports its adapters (the CLI, the app).' },
    { group: ['**/storage/database.js'], message: 'Only main/storage opens the database; use the stores Storage hands out.' },
  ],
};

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', '.cache/', '.devcarry/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', ENGINE_RULES],
    },
  },
  {
    // Storage owns the connection and SQL.
    files: ['main/storage/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ENGINE_RULES.paths[0]], patterns: [ENGINE_RULES.patterns[0]] }] },
  },
  {
    // The adapters: the CLI may use anything of the engine but Electron; the app and preload wire Electron.
    files: ['main/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ENGINE_RULES.paths[0], ENGINE_RULES.paths[1]], patterns: [{ group: ['**/app/*'], message: 'The CLI does not use the desktop app.' }, ENGINE_RULES.patterns[1]] }] },
  },
  {
    files: ['main/app/**', 'preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ENGINE_RULES.paths[1]], patterns: [{ group: ['**/cli/*'], message: 'The app does not use the CLI.' }, ENGINE_RULES.patterns[1]] }] },
  },
  {
    files: ['test/**', 'tools/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);
