// Lint rules, including the dependency direction of DESIGN §2:
// core <- verifier <- pr/pv/client <- daemon <- app, and no Node built-ins in
// the code that must run in a browser (spms/core, spms/client).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = {
  paths: builtinModules.map((name) => ({ name, message: 'This folder runs in the browser: no Node built-ins.' })),
  patterns: [{ group: ['node:*'], message: 'This folder runs in the browser: no Node built-ins.' }],
};

/** Folders a module may not import from, by the module's own folder. */
const forbidden = {
  'spms/core': ['verifier', 'pr', 'pv', 'client', 'daemon', 'app', 'certs'],
  'spms/verifier': ['pr', 'pv', 'client', 'daemon', 'app'],
  certs: ['pr', 'pv', 'client', 'daemon', 'app', 'verifier'],
  'spms/pr': ['pv', 'daemon', 'app'],
  'spms/pv': ['pr', 'daemon', 'app'],
  'spms/client': ['pr', 'pv', 'daemon', 'app'],
  daemon: ['app'],
};

function layerRule(folder, browser) {
  const groups = forbidden[folder].map((dir) => ({
    group: [`**/${dir}/**`, `**/${dir}`],
    message: `DESIGN §2: ${folder} may not depend on ${dir}.`,
  }));
  return {
    files: [`${folder}/**/*.ts`],
    // Tests, and Node-only entry points (node-*.ts) that the browser bundle never includes.
    ignores: [`${folder}/**/*.test.ts`, ...(browser ? [`${folder}/**/node-*.ts`] : [])],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: browser ? nodeBuiltins.paths : [],
          patterns: [...groups, ...(browser ? nodeBuiltins.patterns : [])],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'lab-data/**', 'app/renderer/dist/**', 'app/dist/**', 'app/dist-desktop/**', 'app/release/**', 'test/artifacts/**', 'measures/results/**', '**/*.svelte'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        performance: 'readonly',
        crypto: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        globalThis: 'readonly',
        window: 'readonly',
        document: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always'],
    },
  },
  layerRule('spms/core', true),
  layerRule('spms/client', true),
  layerRule('spms/verifier', false),
  layerRule('certs', false),
  layerRule('spms/pr', false),
  layerRule('spms/pv', false),
  layerRule('daemon', false),
);
