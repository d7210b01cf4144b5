// Validates rendered Kubernetes objects offline, for KubernetesManifestsIT (ops/src/test/java/io/sluice/ops).
//
//   node validate.mjs PACKAGES_DIR INPUT_JSON
//
// PACKAGES_DIR holds node_modules with the packages of package.json beside this file (the test installs them
// into a cache outside the repository). INPUT_JSON is {"TARGET": [object, ...], ...}: each rendered overlay's
// objects. Two checks per object, both offline:
//   1. the JSON schema of its kind (the Kubernetes OpenAPI schemas, and the CRD schemas of KEDA and the
//      Prometheus Operator, as the kubernetes-models packages compile them): types, required fields, enums;
//   2. no unknown field: each object becomes a typed TypeScript literal, and TypeScript's excess-property
//      check names any field the kind does not have (a misspelt `readinesProbe` passes check 1).
// A kind with no schema package is not skipped silently: it is reported as "not schema-checked: KIND (reason)",
// after its apiVersion, kind and metadata.name have been checked.
// Prints one line per object: "TARGET: schema-checked: KIND/NAME", "TARGET: not schema-checked: KIND (reason)"
// or "TARGET: invalid: KIND/NAME: what"; exits 1 if any object is invalid.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [packagesDir, inputFile] = process.argv.slice(2);
if (!packagesDir || !inputFile) {
  console.error("usage: node validate.mjs PACKAGES_DIR INPUT_JSON");
  process.exit(2);
}
const modules = path.join(path.resolve(packagesDir), "node_modules");

// API groups with a schema package: Kubernetes' own (no dot, or ending in .k8s.io), and two operators' CRDs.
function schemaPackage(group) {
  if (group === "" || !group.includes(".") || group.endsWith(".k8s.io")) return "kubernetes-models";
  return { "keda.sh": "@kubernetes-models/keda", "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" }[group];
}

const API_VERSION = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What every object must have, schema or not. */
function typeMetaProblems(object) {
  const problems = [];
  if (typeof object.apiVersion !== "string" || !API_VERSION.test(object.apiVersion)) problems.push(`apiVersion ${JSON.stringify(object.apiVersion)}`);
  if (typeof object.kind !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(object.kind)) problems.push(`kind ${JSON.stringify(object.kind)}`);
  const name = object.metadata?.name;
  if (typeof name !== "string" || name.length > 253 || !DNS_SUBDOMAIN.test(name)) problems.push(`metadata.name ${JSON.stringify(name)}`);
  return problems;
}

const input = JSON.parse(fs.readFileSync(inputFile, "utf8"));
const lines = [];
let invalid = 0;
const report = (target, text, bad = false) => { lines.push(`${target}: ${text}`); if (bad) invalid++; };
const typed = []; // objects for the unknown-field check: {target, label, specifier, type, object}

for (const [target, objects] of Object.entries(input)) {
  for (const object of objects) {
    const label = `${object.kind}/${object.metadata?.name ?? "(no name)"}`;
    const problems = typeMetaProblems(object);
    if (problems.length > 0) { report(target, `invalid: ${label}: ${problems.join(", ")}`, true); continue; }
    const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
    const pkg = schemaPackage(group);
    if (!pkg) {
      report(target, `not schema-checked: ${object.kind} (no offline schema for API group ${group}: no npm models package of that operator's CRDs; apiVersion, kind and metadata.name checked)`);
      continue;
    }
    const modulePath = path.join(group === "" ? "" : group, version, object.kind);
    const file = path.join(modules, pkg, modulePath + ".js");
    if (!fs.existsSync(file)) { report(target, `invalid: ${label}: ${object.apiVersion} has no kind ${object.kind} in ${pkg}`, true); continue; }
    const Model = (await import(pathToFileURL(file).href))[object.kind];
    try {
      new Model(object).validate();
    } catch (error) {
      const details = (error.errors ?? [{ instancePath: "", message: error.message }]).map(e => `${e.instancePath || "/"} ${e.message}`);
      report(target, `invalid: ${label}: ${details.join("; ")}`, true);
      continue;
    }
    typed.push({ target, label, specifier: `${pkg}/${modulePath.split(path.sep).join("/")}`, type: `I${object.kind}`, object });
  }
}

// The unknown-field check: one TypeScript file, one object literal per line, compiled without emitting.
const ts = (await import(pathToFileURL(path.join(modules, "typescript", "lib", "typescript.js")).href)).default;
const work = fs.mkdtempSync(path.join(path.resolve(packagesDir), "check-"));
try {
  const source = path.join(work, "objects.ts");
  const imports = typed.map((t, i) => `import type { ${t.type} as T${i} } from ${JSON.stringify(t.specifier)};`);
  const literals = typed.map((t, i) => `export const o${i}: T${i} = ${JSON.stringify(t.object)};`);
  fs.writeFileSync(source, [...imports, ...literals].join("\n") + "\n");
  const program = ts.createProgram([source], {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const failed = new Map(); // index of a typed object (or -1 for an import) -> messages
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    if (!diagnostic.file) { report("typescript", `invalid: ${message}`, true); continue; }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const index = line < imports.length ? line : line - imports.length;
    const key = line < imports.length ? -1 - index : index;
    failed.set(key, [...(failed.get(key) ?? []), message]);
  }
  typed.forEach((t, i) => {
    const problems = [...(failed.get(i) ?? []), ...(failed.get(-1 - i) ?? [])];
    if (problems.length > 0) report(t.target, `invalid: ${t.label}: ${problems.join("; ")}`, true);
    else report(t.target, `schema-checked: ${t.label}`);
  });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

console.log(lines.join("\n"));
process.exit(invalid > 0 ? 1 : 0);
