// Structural checks of the Helm chart in helm/visage. helm, kubeconform and kubeval cannot be
// installed on the project's machines, so nothing here renders the chart: these checks catch the
// mistakes that need no renderer (a typo in a .Values path, an unknown apiVersion, an undocumented
// or unvalidated value, a block without its end). `helm lint` and `helm template` must still run
// where helm exists.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import * as kubernetesModels from "kubernetes-models";
import { parse, parseAllDocuments } from "yaml";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const chartDir = join(repoRoot, "helm", "visage");
const templatesDir = join(chartDir, "templates");

// CRDs are not in kubernetes-models; each one the chart may render is listed here on purpose.
const CRD_KINDS = new Set(["monitoring.coreos.com/v1 ServiceMonitor"]);
// Keys helm itself may put into .Values (a parent chart's globals), so values.yaml need not list them.
const HELM_OWNED_KEYS = new Set(["global"]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readChartFile(relative: string): string {
  return readFileSync(join(chartDir, relative), "utf8");
}

function loadValues(): JsonObject {
  const values: unknown = parse(readChartFile("values.yaml"));
  assert.ok(isObject(values), "values.yaml must be a mapping");
  return values;
}

function loadSchema(): JsonObject {
  const schema: unknown = JSON.parse(readChartFile("values.schema.json"));
  assert.ok(isObject(schema), "values.schema.json must be an object");
  return schema;
}

function compileSchema(): (data: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(loadSchema());
  return (data) => {
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
  };
}

// Every file in templates/, with its text, so failures can name the file.
const templateFiles = readdirSync(templatesDir)
  .sort()
  .map((name) => ({ name, text: readFileSync(join(templatesDir, name), "utf8") }));
const manifestFiles = templateFiles.filter((f) => /\.ya?ml$/.test(f.name));

// Template comments may mention keywords and .Values paths in prose; checks look past them.
function stripTemplateComments(text: string): string {
  return text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, "");
}

// The apiVersion/kind pairs kubernetes-models knows: each model class carries both as statics.
// Named groups nest group -> version -> class; the core group ("v1") is version -> class.
function knownApiKinds(): Set<string> {
  const pairs = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    const statics = node as { apiVersion?: unknown; kind?: unknown };
    if (typeof node === "function" && typeof statics.apiVersion === "string" && typeof statics.kind === "string") {
      pairs.add(`${statics.apiVersion} ${statics.kind}`);
    } else if (typeof node === "object" && node !== null && depth < 3) {
      for (const child of Object.values(node)) visit(child, depth + 1);
    }
  };
  visit(kubernetesModels, 0);
  return pairs;
}

// Top-level (column 0) apiVersion/kind lines, in order; nested ones (an HPA's scaleTargetRef) are not resources.
function declaredResources(text: string): { apiVersion: string; kind: string }[] {
  const apiVersions = [...text.matchAll(/^apiVersion:[ \t]*(\S+)[ \t]*$/gm)].map((m) => m[1] ?? "");
  const kinds = [...text.matchAll(/^kind:[ \t]*(\S+)[ \t]*$/gm)].map((m) => m[1] ?? "");
  assert.equal(apiVersions.length, kinds.length, `apiVersion and kind lines do not pair up: ${apiVersions} / ${kinds}`);
  return apiVersions.map((apiVersion, i) => ({ apiVersion, kind: kinds[i] ?? "" }));
}

function valuesReferences(text: string): string[] {
  const paths = [...stripTemplateComments(text).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1] ?? "");
  return [...new Set(paths)].map((p) => p.slice(1));
}

// Follows a dotted path through values.yaml; undefined when some key on the way is missing.
function lookup(values: JsonObject, path: string): Json | undefined {
  let node: Json | undefined = values;
  for (const key of path.split(".")) {
    if (!isObject(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

// The template with its actions blanked out: action-only lines go, inline actions become a scalar.
// What remains must still be YAML, which catches broken indentation and stray characters.
function yamlSkeleton(text: string): string {
  return stripTemplateComments(text)
    .split("\n")
    .filter((line) => !/^\s*(\{\{[^}]*\}\}\s*)+$/.test(line))
    .map((line) => line.replace(/\{\{[^}]*\}\}/g, "TPL"))
    .join("\n");
}

function resolveRef(schema: JsonObject, node: JsonObject): JsonObject {
  const ref = node["$ref"];
  if (typeof ref !== "string") return node;
  const target = lookup(schema, ref.replace(/^#\//, "").replaceAll("/", "."));
  assert.ok(isObject(target), `values.schema.json: unresolved $ref ${ref}`);
  return resolveRef(schema, target);
}

// Properties of closed objects (additionalProperties: false, i.e. this chart's own shapes) that
// values.yaml never sets: such a value is validated but documented nowhere.
function schemaPropertiesMissingFromValues(schema: JsonObject, node: JsonObject, value: Json | undefined, path: string): string[] {
  const resolved = resolveRef(schema, node);
  const missing: string[] = [];
  const items = resolved["items"];
  if (Array.isArray(value) && isObject(items)) {
    value.forEach((element, i) => missing.push(...schemaPropertiesMissingFromValues(schema, items, element, `${path}[${i}]`)));
  }
  const properties = resolved["properties"];
  if (!isObject(properties) || !isObject(value)) return missing;
  for (const [key, child] of Object.entries(properties)) {
    const childPath = path ? `${path}.${key}` : key;
    if (!(key in value)) {
      if (resolved["additionalProperties"] === false && !HELM_OWNED_KEYS.has(childPath)) missing.push(childPath);
      continue;
    }
    if (isObject(child)) missing.push(...schemaPropertiesMissingFromValues(schema, child, value[key], childPath));
  }
  return missing;
}

describe("helm chart metadata", () => {
  it("Chart.yaml is a v2 application chart named after its folder, with a semver version", () => {
    const chart: unknown = parse(readChartFile("Chart.yaml"));
    assert.ok(isObject(chart), "Chart.yaml must be a mapping");
    assert.equal(chart["apiVersion"], "v2", "Chart.yaml apiVersion");
    assert.equal(chart["name"], basename(chartDir), "Chart.yaml name must equal the chart folder name");
    assert.equal(chart["type"], "application", "Chart.yaml type");
    assert.match(String(chart["version"]), /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "Chart.yaml version must be semver");
  });

  it("Chart.yaml appVersion equals package.json version, so the default image tag is this release", () => {
    const chart = parse(readChartFile("Chart.yaml")) as JsonObject;
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    assert.equal(chart["appVersion"], pkg.version, "Chart.yaml appVersion vs package.json version");
  });
});

describe("helm chart values", () => {
  it("values.yaml satisfies values.schema.json", () => {
    assert.deepEqual(compileSchema()(loadValues()), [], "values.yaml fails values.schema.json");
  });

  it("the schema rejects a misspelt top-level key and a wrong type", () => {
    const validate = compileSchema();
    assert.notDeepEqual(validate({ ...loadValues(), replicaCont: 3 }), [], "a misspelt key was accepted");
    assert.notDeepEqual(validate({ ...loadValues(), replicaCount: "3" }), [], "a string replicaCount was accepted");
  });

  it("the schema refuses more than one replica or autoscaling with the embedded database", () => {
    const validate = compileSchema();
    const values = loadValues();
    const embedded = { ...(values["embedded"] as JsonObject), enabled: true };
    const autoscaling = values["autoscaling"] as JsonObject;
    assert.deepEqual(validate({ ...values, embedded, replicaCount: 1 }), [], "embedded with one replica must pass");
    assert.notDeepEqual(validate({ ...values, embedded, replicaCount: 2 }), [], "embedded with two replicas passed");
    assert.notDeepEqual(
      validate({ ...values, embedded, replicaCount: 1, autoscaling: { ...autoscaling, enabled: true } }),
      [],
      "embedded with autoscaling passed",
    );
  });

  it("every value of the chart's own objects is set in values.yaml, so each one is documented there", () => {
    const schema = loadSchema();
    assert.deepEqual(schemaPropertiesMissingFromValues(schema, schema, loadValues(), ""), [], "schema properties absent from values.yaml");
  });

  it("every key in values.yaml has a comment above it or beside it", () => {
    const lines = readChartFile("values.yaml").split("\n");
    const undocumented: string[] = [];
    lines.forEach((line, i) => {
      if (!/^\s*(- )?[A-Za-z0-9_.\/-]+:(\s|$)/.test(line) || /\s#\s/.test(line)) return;
      let previous = i - 1;
      while (previous >= 0 && (lines[previous] ?? "").trim() === "") previous--;
      if (!(lines[previous] ?? "").trim().startsWith("#")) undocumented.push(`values.yaml:${i + 1}: ${line.trim()}`);
    });
    assert.deepEqual(undocumented, [], "undocumented keys");
  });
});

describe("helm chart templates", () => {
  it("has the resources the deployment needs", () => {
    const kinds = new Set(manifestFiles.flatMap((f) => declaredResources(f.text).map((r) => r.kind)));
    for (const kind of ["Deployment", "Service", "ConfigMap", "Secret", "Job", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "Ingress", "ServiceAccount"]) {
      assert.ok(kinds.has(kind), `no template declares kind ${kind}`);
    }
    assert.ok(templateFiles.some((f) => f.name === "_helpers.tpl"), "templates/_helpers.tpl is missing");
    assert.ok(templateFiles.some((f) => f.name === "NOTES.txt"), "templates/NOTES.txt is missing");
  });

  it("every manifest declares literal apiVersion/kind pairs that Kubernetes (or a listed CRD) knows", () => {
    const known = knownApiKinds();
    for (const pair of ["apps/v1 Deployment", "v1 Service"]) {
      assert.ok(known.has(pair), `kubernetes-models no longer exposes ${pair} as expected`);
    }
    const problems: string[] = [];
    for (const file of manifestFiles) {
      const resources = declaredResources(file.text);
      if (resources.length === 0) problems.push(`${file.name}: no top-level apiVersion/kind`);
      for (const { apiVersion, kind } of resources) {
        const pair = `${apiVersion} ${kind}`;
        if (!known.has(pair) && !CRD_KINDS.has(pair)) problems.push(`${file.name}: unknown ${pair}`);
        // Alpha and beta APIs of these kinds were removed by Kubernetes 1.25, the chart's kubeVersion floor.
        if (/(alpha|beta)\d*$/.test(apiVersion)) problems.push(`${file.name}: pre-release API ${pair}`);
      }
    }
    assert.deepEqual(problems, [], "template apiVersion/kind problems");
  });

  it("every .Values path used by a template exists in values.yaml", () => {
    const values = loadValues();
    const missing = templateFiles.flatMap((file) =>
      valuesReferences(file.text)
        .filter((path) => lookup(values, path) === undefined)
        .map((path) => `${file.name}: .Values.${path}`),
    );
    assert.deepEqual(missing, [], "template references absent from values.yaml");
  });

  it("every enabled flag a template tests is a boolean in values.yaml", () => {
    const values = loadValues();
    const wrong = templateFiles.flatMap((file) =>
      valuesReferences(file.text)
        .filter((path) => path.endsWith(".enabled") && typeof lookup(values, path) !== "boolean")
        .map((path) => `${file.name}: .Values.${path} = ${JSON.stringify(lookup(values, path))}`),
    );
    assert.deepEqual(wrong, [], "enabled flags that are not booleans");
  });

  it("every action is closed and every block (if/range/with/define) has its end", () => {
    const problems: string[] = [];
    for (const file of templateFiles) {
      const text = stripTemplateComments(file.text);
      const opens = (text.match(/\{\{/g) ?? []).length;
      const closes = (text.match(/\}\}/g) ?? []).length;
      if (opens !== closes) problems.push(`${file.name}: ${opens} "{{" but ${closes} "}}"`);
      const blocks = (text.match(/\{\{-?\s*(if|range|with|define|block)\b/g) ?? []).length;
      const ends = (text.match(/\{\{-?\s*end\b/g) ?? []).length;
      if (blocks !== ends) problems.push(`${file.name}: ${blocks} blocks but ${ends} ends`);
    }
    assert.deepEqual(problems, [], "unbalanced template actions");
  });

  it("every included template is defined in _helpers.tpl", () => {
    const helpers = templateFiles.find((f) => f.name === "_helpers.tpl")?.text ?? "";
    const defined = new Set([...helpers.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)].map((m) => m[1]));
    const undefinedIncludes = templateFiles.flatMap((file) =>
      [...file.text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)]
        .map((m) => m[1] ?? "")
        .filter((name) => !defined.has(name))
        .map((name) => `${file.name}: ${name}`),
    );
    assert.deepEqual(undefinedIncludes, [], "includes of undefined templates");
  });

  it("every manifest is well-formed YAML with a name and labels once its actions are blanked out", () => {
    const problems: string[] = [];
    for (const file of manifestFiles) {
      const documents = parseAllDocuments(yamlSkeleton(file.text), { uniqueKeys: false });
      for (const doc of Array.isArray(documents) ? documents : [documents]) {
        for (const error of doc.errors) problems.push(`${file.name}: ${error.message}`);
        const manifest: unknown = doc.toJS();
        if (manifest === null || manifest === undefined) continue;
        const metadata = isObject(manifest) ? manifest["metadata"] : undefined;
        if (!isObject(metadata) || !("name" in metadata)) problems.push(`${file.name}: no metadata.name`);
        if (!isObject(metadata) || !("labels" in metadata)) problems.push(`${file.name}: no metadata.labels`);
      }
    }
    assert.deepEqual(problems, [], "manifest skeleton problems");
  });

  it("the migration Job and its Secret run as pre-install/pre-upgrade hooks, the Secret first", () => {
    const job = manifestFiles.find((f) => declaredResources(f.text).some((r) => r.kind === "Job"));
    assert.ok(job, "no Job template");
    assert.match(job.text, /helm\.sh\/hook: pre-install,pre-upgrade/, `${job.name}: not a pre-install/pre-upgrade hook`);
    const hookSecret = manifestFiles.find(
      (f) => f !== job && /helm\.sh\/hook:/.test(f.text) && declaredResources(f.text).some((r) => r.kind === "Secret"),
    );
    assert.ok(hookSecret, "no hook Secret carrying DATABASE_URL for the migration Job's first run");
    const weight = (text: string) => Number(/helm\.sh\/hook-weight: "(-?\d+)"/.exec(text)?.[1]);
    assert.ok(weight(hookSecret.text) < weight(job.text), `${hookSecret.name} must have a lower hook weight than ${job.name}`);
  });
});

describe("helm chart and container image agree", () => {
  const dockerfilePath = join(repoRoot, "Dockerfile");
  const dockerfile = existsSync(dockerfilePath) ? readFileSync(dockerfilePath, "utf8") : "";
  // Only the last stage's instructions describe the image that runs.
  const runtimeStage = dockerfile.split(/^FROM\s/m).at(-1) ?? "";

  it("the image's user is the pod's runAsUser, and it is not root", () => {
    const user = /^USER\s+(\d+)(?::(\d+))?\s*$/m.exec(runtimeStage);
    assert.ok(user, "Dockerfile runtime stage needs a numeric USER uid:gid (runAsNonRoot can only verify numbers)");
    const pod = loadValues()["podSecurityContext"] as JsonObject;
    assert.notEqual(Number(user[1]), 0, "the image runs as root");
    assert.equal(Number(user[1]), pod["runAsUser"], "Dockerfile USER vs podSecurityContext.runAsUser");
  });

  it("the image exposes the container port and bakes the models where the chart says", () => {
    const values = loadValues();
    assert.match(runtimeStage, new RegExp(`^EXPOSE\\s+${values["containerPort"]}\\b`, "m"), "Dockerfile EXPOSE vs containerPort");
    const modelsDir = (values["config"] as JsonObject)["modelsDir"];
    assert.match(runtimeStage, new RegExp(`VISAGE_MODELS_DIR=${modelsDir}\\b`), "Dockerfile VISAGE_MODELS_DIR vs config.modelsDir");
  });

  // The server's config module: src/config.ts, or the files of src/config/.
  const configDir = join(repoRoot, "src", "config");
  const configFiles = [
    join(repoRoot, "src", "config.ts"),
    ...(existsSync(configDir) ? readdirSync(configDir).filter((n) => n.endsWith(".ts")).map((n) => join(configDir, n)) : []),
  ].filter((p) => existsSync(p));
  it("every server variable the chart sets is one the config module reads", { skip: configFiles.length === 0 && "the config module does not exist yet" }, () => {
    const config = configFiles.map((p) => readFileSync(p, "utf8")).join("\n");
    const chartText = manifestFiles.map((f) => f.text).join("\n");
    const names = new Set(
      [...chartText.matchAll(/^\s*(?:- name: )?((?:VISAGE_|DATABASE_URL)[A-Z0-9_]*)\b/gm)].map((m) => m[1] ?? ""),
    );
    assert.ok(names.has("VISAGE_LOG_LEVEL"), "could not find the chart's environment variables");
    const unread = [...names].filter((name) => !config.includes(name));
    assert.deepEqual(unread, [], "variables the chart sets but the config module never mentions");
  });
});
