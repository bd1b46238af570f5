import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The architecture, enforced: each folder of src/ may import only from the layers below it.
 * settings ← engine ← report ← run ← action | cli. Only the action speaks to the GitHub runner
 * (@actions/core); the engine and the command never do.
 */
const LAYERS = {
  settings: {
    forbidden: ['engine', 'report', 'run', 'action', 'cli'],
    packages: ['@actions/core', '@actions/http-client']
  },
  engine: { forbidden: ['report', 'run', 'action', 'cli'], packages: ['@actions/core'] },
  report: { forbidden: ['run', 'action', 'cli'], packages: ['@actions/core', '@actions/http-client'] },
  run: { forbidden: ['action', 'cli'], packages: ['@actions/core'] },
  cli: { forbidden: ['action'], packages: ['@actions/core'] },
  action: { forbidden: ['cli'], packages: [] }
}

const boundaries = Object.entries(LAYERS).map(([folder, { forbidden, packages }]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: packages.map((name) => ({
          name,
          message: `src/${folder}/ must not depend on ${name} (see src/${folder}/README.md).`
        })),
        patterns: [
          {
            regex: '^(\\.\\./)+dev(/|$)',
            message: `src/${folder}/ must not import the project's own tools and tests (dev/): they are not the product.`
          },
          {
            regex: `^(\\.\\./)+(src/)?(${forbidden.join('|')})(/|$)`,
            message: `src/${folder}/ must not import from src/${forbidden.join('/, src/')}/ (see src/${folder}/README.md).`
          },
          ...packages.map((name) => ({
            regex: `^${name.replace('/', '\\/')}/`,
            message: `src/${folder}/ must not depend on ${name}.`
          }))
        ]
      }
    ]
  }
}))

export default tseslint.config(
  {
    ignores: ['dist/', '.build/', 'node_modules/', 'coverage/', 'reports/', '.preview/', '.stryker-tmp*/', '.cache/']
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  ...boundaries
)
