// @ts-check
/* global module */
// Folder layering (issue 20). Dependencies point one way, from the entry points down to the shared
// base; a folder may import the folders below it, never one above it, so each layer can be read, tested
// and changed knowing only what is under it. `npm run lint` runs this through tools/check-layers.ts.
//
//   client → stack → worker → workflows → activities → emulator → dcs / verify / codec → local → common → redis
//
// redis/ is the Redis edge (addresses, endpoints, connection options, cluster topology): it imports nothing of
// ours, so everything can stand on it, common/'s input schema included (it parses addresses).
//
// `workflows` importing the *types* of `activities` is ordinary Temporal practice (proxyActivities<typeof
// ...>) and is downward, so it needs no exception. test/, bench/, tools/ and docker/ are consumers on top:
// they may import anything, nothing in the product imports them, and test/ does not import bench/.

/** Top first: each entry may import only the entries after it. Siblings share one entry. */
const layers = [
  ['client'],
  ['stack'],
  ['worker'],
  ['workflows'],
  ['activities'],
  ['emulator'],
  ['dcs', 'verify', 'codec'],
  ['local'],
  ['common'],
  ['redis'],
];
const product = layers.flat();
const consumers = ['test', 'bench', 'tools', 'docker'];

/** Matches a module inside one of the given top-level folders. */
const under = (/** @type {string[]} */ folders) => `^(${folders.join('|')})/`;

// A test file or a folder's testing/ helpers may reach upward (e.g. a client test starting a worker);
// only product code has to obey the layering.
const testCode = ['\\.test\\.ts$', '/testing/'];

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = layers.slice(1).map((layer, index) => {
  const above = layers.slice(0, index + 1).flat();
  return {
    name: `${layer.join('-')}-not-upward`,
    comment: `${layer.join(', ')} may not import ${above.join(', ')}: dependencies point down the layers.`,
    severity: 'error',
    from: { path: under(layer), pathNot: testCode },
    to: { path: under(above) },
  };
});

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const siblingRules = [
  {
    // dcs, verify and codec share a layer, so neither may lean on the other: each stands on local/ and
    // common/ alone.
    name: 'dcs-verify-codec-independent',
    comment: 'dcs/, verify/ and codec/ are one layer: they do not import each other.',
    severity: 'error',
    from: { path: '^(dcs|verify|codec)/', pathNot: testCode },
    to: { path: '^(dcs|verify|codec)/', pathNot: '^$1/' },
  },
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle, inside a folder or across folders (emulator/http ↔ emulator/faults counts).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      // Folder grain: emulator/http importing emulator/faults, which imports emulator/http back through
      // other files, is a cycle between the folders even when no single chain of files closes it.
      name: 'no-folder-cycle',
      comment: 'Two folders (or subfolders) may not import each other.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...siblingRules,
    {
      name: 'product-not-consumers',
      comment: `Product code (${product.join(', ')}) may not import ${consumers.join(', ')}.`,
      severity: 'error',
      from: { path: under(product) },
      to: { path: under(consumers) },
    },
    {
      name: 'worker-not-local',
      comment:
        'worker/, workflows/ and activities/ never reach local/ (processes for local use), not even through other folders.',
      severity: 'error',
      from: { path: '^(worker|workflows|activities)/', pathNot: testCode },
      to: { path: '^local/', reachable: true },
    },
    {
      name: 'worker-not-emulator',
      comment:
        'worker/, workflows/ and activities/ never reach emulator/ (the local DCS), not even through other folders.',
      severity: 'error',
      from: { path: '^(worker|workflows|activities)/', pathNot: testCode },
      to: { path: '^emulator/', reachable: true },
    },
    {
      name: 'test-not-bench',
      comment: 'test/ may not import bench/: benchmarks build on the tests, not the reverse.',
      severity: 'error',
      from: { path: '^test/' },
      to: { path: '^bench/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tools|dist|coverage|test-artifacts)/' },
    // tsconfig makes `./x.js` specifiers resolve to `./x.ts` (NodeNext), as tsc does.
    tsConfig: { fileName: 'tsconfig.json' },
    // `import type` counts: a type import upward still couples the layers.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'] },
  },
};
