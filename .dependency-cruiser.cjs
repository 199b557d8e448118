/**
 * Import rules for src/, checked in CI (`npm test` runs `npm run lint:deps` before the specs): no
 * cycles between files, and folders depend one way only, from the foundation up:
 *
 *   config, clock, events, errors, extension-points (the marks providers carry for the boot to
 *   find: owner commands, periodic tasks)  →  database, shared-store (the infrastructure: the SQL
 *   database and the Redis connection)  →  accounts, tokens, limits (each with its stores, the
 *   Redis ones included, beside the abstraction they implement), secrets (the key stored
 *   secrets are encrypted under)  →  http, docs, auth, realtime, recovery, health, metrics,
 *   lifecycle, account-page, self-service, two-factor, passkeys, audit, access-tokens  →  cli, owner, mcp,
 *   extension  →  the files at the root of src/ (app.module, app.factory, serve, main, modules,
 *   entities)
 *
 * A folder may import its own files and any folder of a lower layer, never one of a higher layer.
 * Where a lower folder needs to tell a higher one something (a token check, for the metrics), it
 * declares the abstraction and the higher folder provides it (TokenCheckObserver). Folders of one
 * layer may import each other one way only: scripts/lint-deps.mjs, which runs these rules, also
 * collapses the graph to folders and fails on any cycle between them.
 */
const layers = [
  ['config', 'clock', 'events', 'errors', 'extension-points'],
  ['database', 'shared-store'],
  ['accounts', 'tokens', 'limits', 'secrets'],
  [
    'http',
    'docs',
    'auth',
    'realtime',
    'recovery',
    'health',
    'metrics',
    'lifecycle',
    'account-page',
    'self-service',
    'two-factor',
    'passkeys',
    'audit',
    'access-tokens',
  ],
  ['cli', 'owner', 'mcp', 'extension'],
];

/** For each layer, forbid importing any folder of a higher layer. */
const layerRules = layers.flatMap((layer, index) => {
  const higher = layers.slice(index + 1).flat();
  if (higher.length === 0) return [];
  return [
    {
      name: `layer-${index}-imports-upward`,
      comment: `${layer.join(', ')} may not import ${higher.join(', ')} (folders depend one way; see the top of this file)`,
      severity: 'error',
      from: { path: `^src/(${layer.join('|')})/` },
      to: { path: `^src/(${higher.join('|')})/` },
    },
  ];
});

/**
 * A module a team adds (examples/, or a folder of src/ that is none of Gatehouse's) reaches
 * Gatehouse only through the extension surface: everything else is internal and free to change.
 */
const gatehouseFolders = layers.flat().join('|');
const surfaceRules = [
  {
    name: 'example-imports-internals',
    comment:
      'examples/ import Gatehouse only through src/extension/index.ts, and their specs src/extension/testing.ts (see README, "Extending Gatehouse").',
    severity: 'error',
    from: { path: '^examples/' },
    to: { path: '^src/', pathNot: '^src/extension/(index|testing)\\.ts$' },
  },
  {
    name: 'extension-imports-internals',
    comment:
      'A folder added to src/ imports Gatehouse only through src/extension/index.ts (see README, "Extending Gatehouse").',
    severity: 'error',
    from: { path: '^src/([^/]+)/', pathNot: `^src/(${gatehouseFolders})/` },
    to: { path: '^src/', pathNot: ['^src/extension/(index|testing)\\.ts$', '^src/$1/'] },
  },
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: split the shared piece out, or invert the dependency.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-imports',
      comment:
        'Feature folders never import the application root (app.module, app.factory, serve, main, entities); the testing helper builds the application as createApp does.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: '^src/extension/testing\\.ts$' },
      to: { path: '^src/(app\\.module|app\\.factory|serve|main|entities)\\.ts$' },
    },
    {
      name: 'modules-from-entry-points',
      comment:
        'src/modules.ts (the added modules) is loaded by the three entry points only: the server, the command line and the MCP server.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|cli/main|mcp/main)\\.ts$' },
      to: { path: '^src/modules\\.ts$' },
    },
    ...layerRules,
    ...surfaceRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
