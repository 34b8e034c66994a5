import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers (docs/architecture.md#layers): logic depends on ports, adapters implement them, one
// composition root per function wires them, and handlers only call their composition root.
const NO_AWS_SDK = { group: ['@aws-sdk/*'], message: 'Logic and domain code has no AWS imports: put the call in an adapter (shared/adapters) behind a port.' };
const NO_ADAPTERS = { group: ['**/adapters', '**/adapters/*'], message: 'Logic depends on ports, not adapters: declare an interface in the module\'s ports.ts; shared/composition wires the adapter.' };
const NO_COMPOSITION = { group: ['**/composition', '**/composition/*'], message: 'Only handlers import composition roots.' };
const NO_OBSERVABILITY = {
  group: ['**/observability/*', '@aws-lambda-powertools/*'],
  message: 'Logic returns typed outcomes; the function\'s observer (shared/observability) turns them into logs and metrics.',
};
const NO_INFRA = { group: ['**/infra/*', '**/infra/**'], message: 'Runtime code does not depend on the CDK/local infrastructure.' };

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'coverage/**', '.build/**', '.local/**', '*.js', '*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Domain and logic: pure rules, ports and use cases.
    files: ['shared/{domain,credits,webhooks,commands,ratelimit,monitoring,moncreneau,http,config,payments,rotation}/**/*.ts'],
    rules: restrict(NO_AWS_SDK, NO_ADAPTERS, NO_COMPOSITION, NO_OBSERVABILITY, NO_INFRA),
  },
  {
    // Adapters implement ports: they may import a module's ports and the data types they store, never its logic.
    files: ['shared/adapters/**/*.ts'],
    rules: restrict(
      NO_COMPOSITION,
      NO_OBSERVABILITY,
      NO_INFRA,
      { group: ['**/webhooks/*', '!**/webhooks/ports'], message: 'Adapters import only the webhook ports.' },
      { group: ['**/commands/*', '!**/commands/ports', '!**/commands/types', '!**/commands/message'], message: 'Adapters import only the command ports and the records they store.' },
      { group: ['**/payments/*', '!**/payments/ports', '!**/payments/types'], message: 'Adapters import only the payments ports and the records they store.' },
    ),
  },
  {
    files: ['shared/observability/**/*.ts'],
    rules: restrict(NO_ADAPTERS, NO_COMPOSITION, NO_INFRA),
  },
  {
    files: ['shared/composition/**/*.ts'],
    rules: restrict(NO_INFRA),
  },
  {
    // A handler is its composition root wrapped in the one handler shape.
    files: ['functions/**/*.ts'],
    rules: restrict({ regex: '/shared/(?!composition/)', message: 'A handler only calls its composition root (shared/composition/<function>.ts).' }),
  },
);
