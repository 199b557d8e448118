#!/usr/bin/env node
// The import rules (`npm run lint:deps`): dependency-cruiser checks .dependency-cruiser.cjs (no
// cycle between files, folders depend one way, added modules use src/extension only), and this
// script adds what its rules cannot say: no cycle between the FOLDERS of src/. Two folders that
// import each other, even through different files and even within one layer, are one feature in
// two places; the graph of folders is collapsed from the same cruise and must have no strongly
// connected component of more than one folder.
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const tsConfig = extractTSConfig('tsconfig.json');
const result = await cruise(['src', 'examples'], options, undefined, { tsConfig });
const report = await format(result.output, { outputType: 'err' });
process.stdout.write(report.output);
let failed = report.exitCode !== 0;

/** `src/<folder>` of a module under a folder of src/; null for the root files and anything else. */
const folderOf = (path) => /^src\/([^/]+)\//.exec(path)?.[1] ?? null;

const edges = new Map();
for (const module of result.output.modules) {
  const from = folderOf(module.source);
  if (from === null) continue;
  for (const dependency of module.dependencies) {
    const to = folderOf(dependency.resolved);
    if (to === null || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    // One example import per pair, to name in the report.
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${module.source} → ${dependency.resolved}`);
  }
}

/** Tarjan's strongly connected components of the folder graph. */
function components(nodes) {
  let index = 0;
  const stack = [];
  const info = new Map();
  const found = [];
  const visit = (node) => {
    info.set(node, { index, low: index, onStack: true });
    index++;
    stack.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!info.has(next)) {
        visit(next);
        info.get(node).low = Math.min(info.get(node).low, info.get(next).low);
      } else if (info.get(next).onStack) {
        info.get(node).low = Math.min(info.get(node).low, info.get(next).index);
      }
    }
    if (info.get(node).low === info.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        info.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      found.push(component);
    }
  };
  for (const node of nodes) if (!info.has(node)) visit(node);
  return found;
}

const folders = new Set([...edges.keys(), ...[...edges.values()].flatMap((to) => [...to.keys()])]);
for (const cycle of components([...folders].sort()).filter((c) => c.length > 1)) {
  failed = true;
  const members = new Set(cycle);
  console.error(`\n  error folder-cycle: the folders ${cycle.sort().join(', ')} import each other:`);
  for (const from of cycle)
    for (const [to, example] of edges.get(from) ?? [])
      if (members.has(to)) console.error(`    ${from} → ${to} (${example})`);
}
if (!failed) console.log(`✔ no cycle between the ${folders.size} folders of src/`);
process.exit(failed ? 1 : 0);
