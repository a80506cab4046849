// Checks of the Helm chart in helm/visage. The structural checks need no renderer and always run:
// they catch a typo in a .Values path, an unknown apiVersion, an undocumented or unvalidated
// value, a block without its end. The chart is also linted and rendered by helm with each
// helm/visage/ci/*-values.yaml, and every rendered object is validated against the Kubernetes (and
// Prometheus Operator) schemas. helm is the pinned binary `scripts/setup.sh --test` links as
// node_modules/.bin/helm (HELM=/path/to/helm overrides it); without it those tests fail, never skip.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import * as prometheusOperatorModels from '@kubernetes-models/prometheus-operator';
import * as kubernetesModels from 'kubernetes-models';
import { parse, parseAllDocuments } from 'yaml';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chartDir = join(repoRoot, 'helm', 'visage');
const templatesDir = join(chartDir, 'templates');

// CRDs are not in kubernetes-models; each one the chart may render is listed here on purpose.
const CRD_KINDS = new Set(['monitoring.coreos.com/v1 ServiceMonitor']);
// Keys helm itself may put into .Values (a parent chart's globals), so values.yaml need not list them.
const HELM_OWNED_KEYS = new Set(['global']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readChartFile(relative: string): string {
  return readFileSync(join(chartDir, relative), 'utf8');
}

function loadValues(): JsonObject {
  const values: unknown = parse(readChartFile('values.yaml'));
  assert.ok(isObject(values), 'values.yaml must be a mapping');
  return values;
}

function loadSchema(): JsonObject {
  const schema: unknown = JSON.parse(readChartFile('values.schema.json'));
  assert.ok(isObject(schema), 'values.schema.json must be an object');
  return schema;
}

function compileSchema(): (data: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(loadSchema());
  return (data) => {
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}

// Every file in templates/, with its text, so failures can name the file.
const templateFiles = readdirSync(templatesDir)
  .sort()
  .map((name) => ({ name, text: readFileSync(join(templatesDir, name), 'utf8') }));
const manifestFiles = templateFiles.filter((f) => /\.ya?ml$/.test(f.name));

// Template comments may mention keywords and .Values paths in prose; checks look past them.
function stripTemplateComments(text: string): string {
  return text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
}

type ModelClass = new (data: unknown) => { validate(): void };

// The model classes of a kubernetes-models package, by "apiVersion kind": each class carries both
// as statics. Named groups nest group -> version -> class; the core group ("v1") is version -> class.
function modelClasses(root: object): Map<string, ModelClass> {
  const classes = new Map<string, ModelClass>();
  const visit = (node: unknown, depth: number): void => {
    const statics = node as { apiVersion?: unknown; kind?: unknown };
    if (typeof node === 'function' && typeof statics.apiVersion === 'string' && typeof statics.kind === 'string') {
      classes.set(`${statics.apiVersion} ${statics.kind}`, node as ModelClass);
    } else if (typeof node === 'object' && node !== null && depth < 3) {
      for (const child of Object.values(node)) visit(child, depth + 1);
    }
  };
  visit(root, 0);
  return classes;
}

function knownApiKinds(): Set<string> {
  return new Set(modelClasses(kubernetesModels).keys());
}

// Top-level (column 0) apiVersion/kind lines, in order; nested ones (an HPA's scaleTargetRef) are not resources.
function declaredResources(text: string): { apiVersion: string; kind: string }[] {
  const apiVersions = [...text.matchAll(/^apiVersion:[ \t]*(\S+)[ \t]*$/gm)].map((m) => m[1] ?? '');
  const kinds = [...text.matchAll(/^kind:[ \t]*(\S+)[ \t]*$/gm)].map((m) => m[1] ?? '');
  assert.equal(apiVersions.length, kinds.length, `apiVersion and kind lines do not pair up: ${apiVersions} / ${kinds}`);
  return apiVersions.map((apiVersion, i) => ({ apiVersion, kind: kinds[i] ?? '' }));
}

function valuesReferences(text: string): string[] {
  const paths = [...stripTemplateComments(text).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1] ?? '');
  return [...new Set(paths)].map((p) => p.slice(1));
}

// Follows a dotted path through values.yaml; undefined when some key on the way is missing.
function lookup(values: JsonObject, path: string): Json | undefined {
  let node: Json | undefined = values;
  for (const key of path.split('.')) {
    if (!isObject(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

// The template with its actions blanked out: action-only lines go, inline actions become a scalar.
// What remains must still be YAML, which catches broken indentation and stray characters.
function yamlSkeleton(text: string): string {
  return stripTemplateComments(text)
    .split('\n')
    .filter((line) => !/^\s*(\{\{[^}]*\}\}\s*)+$/.test(line))
    .map((line) => line.replace(/\{\{[^}]*\}\}/g, 'TPL'))
    .join('\n');
}

function resolveRef(schema: JsonObject, node: JsonObject): JsonObject {
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  const target = lookup(schema, ref.replace(/^#\//, '').replaceAll('/', '.'));
  assert.ok(isObject(target), `values.schema.json: unresolved $ref ${ref}`);
  return resolveRef(schema, target);
}

// Properties of closed objects (additionalProperties: false, i.e. this chart's own shapes) that
// values.yaml never sets: such a value is validated but documented nowhere.
function schemaPropertiesMissingFromValues(schema: JsonObject, node: JsonObject, value: Json | undefined, path: string): string[] {
  const resolved = resolveRef(schema, node);
  const missing: string[] = [];
  const items = resolved['items'];
  if (Array.isArray(value) && isObject(items)) {
    value.forEach((element, i) => missing.push(...schemaPropertiesMissingFromValues(schema, items, element, `${path}[${i}]`)));
  }
  const properties = resolved['properties'];
  if (!isObject(properties) || !isObject(value)) return missing;
  for (const [key, child] of Object.entries(properties)) {
    const childPath = path ? `${path}.${key}` : key;
    if (!(key in value)) {
      if (resolved['additionalProperties'] === false && !HELM_OWNED_KEYS.has(childPath)) missing.push(childPath);
      continue;
    }
    if (isObject(child)) missing.push(...schemaPropertiesMissingFromValues(schema, child, value[key], childPath));
  }
  return missing;
}

describe('helm chart metadata', () => {
  it('Chart.yaml is a v2 application chart named after its folder, with a semver version', () => {
    const chart: unknown = parse(readChartFile('Chart.yaml'));
    assert.ok(isObject(chart), 'Chart.yaml must be a mapping');
    assert.equal(chart['apiVersion'], 'v2', 'Chart.yaml apiVersion');
    assert.equal(chart['name'], basename(chartDir), 'Chart.yaml name must equal the chart folder name');
    assert.equal(chart['type'], 'application', 'Chart.yaml type');
    assert.match(String(chart['version']), /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'Chart.yaml version must be semver');
  });

  it('Chart.yaml appVersion equals package.json version, so the default image tag is this release', () => {
    const chart = parse(readChartFile('Chart.yaml')) as JsonObject;
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(chart['appVersion'], pkg.version, 'Chart.yaml appVersion vs package.json version');
  });
});

describe('helm chart values', () => {
  it('values.yaml satisfies values.schema.json', () => {
    assert.deepEqual(compileSchema()(loadValues()), [], 'values.yaml fails values.schema.json');
  });

  it('the schema rejects a misspelt top-level key and a wrong type', () => {
    const validate = compileSchema();
    assert.notDeepEqual(validate({ ...loadValues(), replicaCont: 3 }), [], 'a misspelt key was accepted');
    assert.notDeepEqual(validate({ ...loadValues(), replicaCount: '3' }), [], 'a string replicaCount was accepted');
  });

  it('the schema refuses more than one replica or autoscaling with the embedded database', () => {
    const validate = compileSchema();
    const values = loadValues();
    const embedded = { ...(values['embedded'] as JsonObject), enabled: true };
    const autoscaling = values['autoscaling'] as JsonObject;
    assert.deepEqual(validate({ ...values, embedded, replicaCount: 1 }), [], 'embedded with one replica must pass');
    assert.notDeepEqual(validate({ ...values, embedded, replicaCount: 2 }), [], 'embedded with two replicas passed');
    assert.notDeepEqual(
      validate({ ...values, embedded, replicaCount: 1, autoscaling: { ...autoscaling, enabled: true } }),
      [],
      'embedded with autoscaling passed',
    );
  });

  it("every value of the chart's own objects is set in values.yaml, so each one is documented there", () => {
    const schema = loadSchema();
    assert.deepEqual(schemaPropertiesMissingFromValues(schema, schema, loadValues(), ''), [], 'schema properties absent from values.yaml');
  });

  it('every key in values.yaml has a comment above it or beside it', () => {
    const lines = readChartFile('values.yaml').split('\n');
    const undocumented: string[] = [];
    lines.forEach((line, i) => {
      if (!/^\s*(- )?[A-Za-z0-9_.\/-]+:(\s|$)/.test(line) || /\s#\s/.test(line)) return;
      let previous = i - 1;
      while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--;
      if (!(lines[previous] ?? '').trim().startsWith('#')) undocumented.push(`values.yaml:${i + 1}: ${line.trim()}`);
    });
    assert.deepEqual(undocumented, [], 'undocumented keys');
  });
});

describe('helm chart templates', () => {
  it('has the resources the deployment needs', () => {
    const kinds = new Set(manifestFiles.flatMap((f) => declaredResources(f.text).map((r) => r.kind)));
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'Job', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor', 'Ingress', 'ServiceAccount']) {
      assert.ok(kinds.has(kind), `no template declares kind ${kind}`);
    }
    assert.ok(templateFiles.some((f) => f.name === '_helpers.tpl'), 'templates/_helpers.tpl is missing');
    assert.ok(templateFiles.some((f) => f.name === 'NOTES.txt'), 'templates/NOTES.txt is missing');
  });

  it('every manifest declares literal apiVersion/kind pairs that Kubernetes (or a listed CRD) knows', () => {
    const known = knownApiKinds();
    for (const pair of ['apps/v1 Deployment', 'v1 Service']) {
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
    assert.deepEqual(problems, [], 'template apiVersion/kind problems');
  });

  it('every .Values path used by a template exists in values.yaml', () => {
    const values = loadValues();
    const missing = templateFiles.flatMap((file) =>
      valuesReferences(file.text)
        .filter((path) => lookup(values, path) === undefined)
        .map((path) => `${file.name}: .Values.${path}`),
    );
    assert.deepEqual(missing, [], 'template references absent from values.yaml');
  });

  it('every enabled flag a template tests is a boolean in values.yaml', () => {
    const values = loadValues();
    const wrong = templateFiles.flatMap((file) =>
      valuesReferences(file.text)
        .filter((path) => path.endsWith('.enabled') && typeof lookup(values, path) !== 'boolean')
        .map((path) => `${file.name}: .Values.${path} = ${JSON.stringify(lookup(values, path))}`),
    );
    assert.deepEqual(wrong, [], 'enabled flags that are not booleans');
  });

  it('every action is closed and every block (if/range/with/define) has its end', () => {
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
    assert.deepEqual(problems, [], 'unbalanced template actions');
  });

  it('every included template is defined in _helpers.tpl', () => {
    const helpers = templateFiles.find((f) => f.name === '_helpers.tpl')?.text ?? '';
    const defined = new Set([...helpers.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)].map((m) => m[1]));
    const undefinedIncludes = templateFiles.flatMap((file) =>
      [...file.text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)]
        .map((m) => m[1] ?? '')
        .filter((name) => !defined.has(name))
        .map((name) => `${file.name}: ${name}`),
    );
    assert.deepEqual(undefinedIncludes, [], 'includes of undefined templates');
  });

  it('every manifest is well-formed YAML with a name and labels once its actions are blanked out', () => {
    const problems: string[] = [];
    for (const file of manifestFiles) {
      const documents = parseAllDocuments(yamlSkeleton(file.text), { uniqueKeys: false });
      for (const doc of Array.isArray(documents) ? documents : [documents]) {
        for (const error of doc.errors) problems.push(`${file.name}: ${error.message}`);
        const manifest: unknown = doc.toJS();
        if (manifest === null || manifest === undefined) continue;
        const metadata = isObject(manifest) ? manifest['metadata'] : undefined;
        if (!isObject(metadata) || !('name' in metadata)) problems.push(`${file.name}: no metadata.name`);
        if (!isObject(metadata) || !('labels' in metadata)) problems.push(`${file.name}: no metadata.labels`);
      }
    }
    assert.deepEqual(problems, [], 'manifest skeleton problems');
  });

  it('the migration Job and its Secret run as pre-install/pre-upgrade hooks, the Secret first', () => {
    const job = manifestFiles.find((f) => declaredResources(f.text).some((r) => r.kind === 'Job'));
    assert.ok(job, 'no Job template');
    assert.match(job.text, /helm\.sh\/hook: pre-install,pre-upgrade/, `${job.name}: not a pre-install/pre-upgrade hook`);
    const hookSecret = manifestFiles.find(
      (f) => f !== job && /helm\.sh\/hook:/.test(f.text) && declaredResources(f.text).some((r) => r.kind === 'Secret'),
    );
    assert.ok(hookSecret, "no hook Secret carrying DATABASE_URL for the migration Job's first run");
    const weight = (text: string) => Number(/helm\.sh\/hook-weight: "(-?\d+)"/.exec(text)?.[1]);
    assert.ok(weight(hookSecret.text) < weight(job.text), `${hookSecret.name} must have a lower hook weight than ${job.name}`);
  });
});

describe('helm chart and container image agree', () => {
  const dockerfilePath = join(repoRoot, 'Dockerfile');
  const dockerfile = existsSync(dockerfilePath) ? readFileSync(dockerfilePath, 'utf8') : '';
  // Only the last stage's instructions describe the image that runs.
  const runtimeStage = dockerfile.split(/^FROM\s/m).at(-1) ?? '';

  it("the image's user is the pod's runAsUser, and it is not root", () => {
    const user = /^USER\s+(\d+)(?::(\d+))?\s*$/m.exec(runtimeStage);
    assert.ok(user, 'Dockerfile runtime stage needs a numeric USER uid:gid (runAsNonRoot can only verify numbers)');
    const pod = loadValues()['podSecurityContext'] as JsonObject;
    assert.notEqual(Number(user[1]), 0, 'the image runs as root');
    assert.equal(Number(user[1]), pod['runAsUser'], 'Dockerfile USER vs podSecurityContext.runAsUser');
  });

  it('the image exposes the container port and bakes the models where the chart says', () => {
    const values = loadValues();
    assert.match(runtimeStage, new RegExp(`^EXPOSE\\s+${values['containerPort']}\\b`, 'm'), 'Dockerfile EXPOSE vs containerPort');
    const modelsDir = (values['config'] as JsonObject)['modelsDir'];
    assert.match(runtimeStage, new RegExp(`VISAGE_MODELS_DIR=${modelsDir}\\b`), 'Dockerfile VISAGE_MODELS_DIR vs config.modelsDir');
  });

  // The server's config module: the files of src/config/ (the only reader of the environment).
  const configDir = join(repoRoot, 'src', 'config');
  it('every server variable the chart sets is one the config module reads', () => {
    const configFiles = readdirSync(configDir).filter((n) => n.endsWith('.ts')).map((n) => join(configDir, n));
    const config = configFiles.map((p) => readFileSync(p, 'utf8')).join('\n');
    const chartText = manifestFiles.map((f) => f.text).join('\n');
    const names = new Set(
      [...chartText.matchAll(/^\s*(?:- name: )?((?:VISAGE_|DATABASE_URL)[A-Z0-9_]*)\b/gm)].map((m) => m[1] ?? ''),
    );
    assert.ok(names.has('VISAGE_LOG_LEVEL'), "could not find the chart's environment variables");
    const unread = [...names].filter((name) => !config.includes(name));
    assert.deepEqual(unread, [], 'variables the chart sets but the config module never mentions');
  });
});

// ---------------------------------------------------------------------------------------------
// Rendered checks: only where a helm binary exists.

const helmBinary = process.env['HELM'] || join(repoRoot, 'node_modules', '.bin', 'helm');
const helmFound = spawnSync(helmBinary, ['version', '--short'], { encoding: 'utf8' }).status === 0;

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: JsonObject;
  data?: JsonObject;
};

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(helmBinary, args, { encoding: 'utf8', cwd: repoRoot });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// helm template takes a few hundred ms; each scenario is rendered once and its text parsed per test.
const renderedText = new Map<string, string>();
function render(args: string[]): Manifest[] {
  const key = args.join('\0');
  let text = renderedText.get(key);
  if (text === undefined) {
    const result = helm(['template', 'rel', chartDir, '--namespace', 'visage', ...args]);
    assert.equal(result.status, 0, `helm template ${args.join(' ')} failed:\n${result.stderr}`);
    text = result.stdout;
    renderedText.set(key, text);
  }
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

const ciValuesDir = join(chartDir, 'ci');
const ciValuesFiles = existsSync(ciValuesDir) ? readdirSync(ciValuesDir).filter((n) => n.endsWith('-values.yaml')).sort() : [];

function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

function only(manifests: Manifest[], kind: string): Manifest {
  const found = ofKind(manifests, kind);
  assert.equal(found.length, 1, `expected one ${kind}, rendered ${found.length}`);
  return found[0] as Manifest;
}

type PodSpec = {
  containers: { name: string; env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; envFrom?: { configMapRef?: { name: string } }[]; securityContext?: JsonObject; volumeMounts?: { name: string; mountPath: string }[]; livenessProbe?: { httpGet?: { path: string } }; readinessProbe?: { httpGet?: { path: string } }; startupProbe?: { httpGet?: { path: string } } }[];
  securityContext?: JsonObject;
  volumes?: ({ name: string } & JsonObject)[];
};

function podOf(workload: Manifest): { labels: Record<string, string>; spec: PodSpec } {
  const template = (workload.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;
  return { labels: template.metadata.labels, spec: template.spec };
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe('helm chart rendered by helm', () => {
  it('has a helm binary (scripts/setup.sh --test installs it)', () => {
    assert.ok(helmFound, `no helm at ${helmBinary}: run scripts/setup.sh --test, or set HELM=/path/to/helm`);
  });

  it('has scenario values files in helm/visage/ci', () => {
    assert.ok(ciValuesFiles.length >= 3, `expected at least 3 ci/*-values.yaml, found ${ciValuesFiles.join(', ')}`);
  });

  for (const file of ciValuesFiles) {
    describe(`with ci/${file}`, () => {
      const args = ['-f', join(ciValuesDir, file)];
      const values = parse(readFileSync(join(ciValuesDir, file), 'utf8')) as JsonObject;

      it('passes helm lint --strict', () => {
        const result = helm(['lint', '--strict', chartDir, ...args]);
        assert.equal(result.status, 0, `helm lint failed:\n${result.stdout}\n${result.stderr}`);
      });

      it('renders only objects that satisfy the Kubernetes and Prometheus Operator schemas', () => {
        const classes = new Map([...modelClasses(kubernetesModels), ...modelClasses(prometheusOperatorModels)]);
        const problems: string[] = [];
        for (const manifest of render(args)) {
          const model = classes.get(`${manifest.apiVersion} ${manifest.kind}`);
          if (!model) {
            problems.push(`${manifest.kind}/${manifest.metadata.name}: no schema for ${manifest.apiVersion}`);
            continue;
          }
          try {
            new model(manifest).validate();
          } catch (error) {
            problems.push(`${manifest.kind}/${manifest.metadata.name}: ${(error as Error).message}`);
          }
        }
        assert.deepEqual(problems, [], 'rendered objects failing their schema');
      });

      it('runs every pod as non-root on a read-only root filesystem with an emptyDir /tmp', () => {
        const manifests = render(args);
        for (const workload of [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'Job')]) {
          const { spec } = podOf(workload);
          const where = `${workload.kind}/${workload.metadata.name}`;
          assert.equal(spec.securityContext?.['runAsNonRoot'], true, `${where}: runAsNonRoot`);
          for (const container of spec.containers) {
            assert.equal(container.securityContext?.['readOnlyRootFilesystem'], true, `${where}/${container.name}: readOnlyRootFilesystem`);
            const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
            assert.ok(tmp, `${where}/${container.name}: no /tmp mount`);
            assert.ok('emptyDir' in (spec.volumes?.find((v) => v.name === tmp.name) ?? {}), `${where}: /tmp is not an emptyDir`);
          }
        }
      });

      it('wires every reference to an object it renders or one the values name', () => {
        const manifests = render(args);
        const existingSecret = (values['secret'] as JsonObject | undefined)?.['existingSecret'];
        const secrets = new Set([...ofKind(manifests, 'Secret').map((s) => s.metadata.name), ...(typeof existingSecret === 'string' ? [existingSecret] : [])]);
        const configMaps = new Set(ofKind(manifests, 'ConfigMap').map((c) => c.metadata.name));
        for (const workload of [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'Job')]) {
          for (const container of podOf(workload).spec.containers) {
            for (const env of container.env ?? []) {
              const ref = env.valueFrom?.secretKeyRef;
              if (ref) assert.ok(secrets.has(ref.name), `${workload.kind}: env ${env.name} reads unknown Secret ${ref.name}`);
            }
            for (const from of container.envFrom ?? []) {
              if (from.configMapRef) assert.ok(configMaps.has(from.configMapRef.name), `${workload.kind}: unknown ConfigMap ${from.configMapRef.name}`);
            }
          }
        }
        // The chart's own Secret must hold every key the Deployment reads from it.
        const deployment = only(manifests, 'Deployment');
        for (const secret of ofKind(manifests, 'Secret')) {
          for (const env of podOf(deployment).spec.containers[0]?.env ?? []) {
            const ref = env.valueFrom?.secretKeyRef;
            if (ref?.name === secret.metadata.name) assert.ok(ref.key in (secret.data ?? {}), `Secret ${secret.metadata.name} lacks key ${ref.key}`);
          }
        }
        const pod = podOf(deployment);
        const service = only(manifests, 'Service');
        assert.ok(matches((service.spec as { selector: Record<string, string> }).selector, pod.labels), 'the Service selects no Deployment pod');
        const servicePort = (service.spec as { ports: { name: string; port: number }[] }).ports[0];
        for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler')) {
          assert.equal((hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name, deployment.metadata.name, 'HPA target');
          assert.equal((deployment.spec as JsonObject)['replicas'], undefined, 'the Deployment fixes replicas although an HPA scales it');
        }
        for (const pdb of ofKind(manifests, 'PodDisruptionBudget')) {
          assert.ok(matches((pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, pod.labels), 'the PDB selects no pod');
        }
        for (const monitor of ofKind(manifests, 'ServiceMonitor')) {
          const endpoint = (monitor.spec as { endpoints: { port: string; path: string }[] }).endpoints[0];
          // /metrics has a port of its own (VISAGE_METRICS_PORT), apart from the API's.
          const ports = (service.spec as { ports: { name: string; port: number; targetPort: string }[] }).ports;
          const scraped = ports.find((p) => p.name === endpoint?.port);
          assert.ok(scraped, 'ServiceMonitor scrapes a port the Service does not name');
          assert.equal(scraped.name, 'metrics', 'ServiceMonitor scrapes the metrics port, not the API port');
          const containerPorts = ((pod.spec.containers[0] as { ports?: { name?: string }[] } | undefined)?.ports ?? []);
          assert.ok(containerPorts.some((p) => p.name === scraped.targetPort), 'the metrics Service port targets no container port');
          assert.equal(endpoint?.path, '/metrics', 'ServiceMonitor path');
        }
        for (const ingress of ofKind(manifests, 'Ingress')) {
          const backends = JSON.stringify(ingress.spec).match(/"service":\{"name":"([^"]+)","port":\{"number":(\d+)\}\}/g) ?? [];
          assert.ok(backends.length > 0, 'the Ingress has no backend');
          for (const backend of backends) {
            assert.ok(backend.includes(`"name":"${service.metadata.name}"`) && backend.includes(`"number":${servicePort?.port}`), `Ingress backend ${backend} is not the Service`);
          }
        }
      });

      it('probes /healthz for liveness and startup and /readyz for readiness', () => {
        const container = podOf(only(render(args), 'Deployment')).spec.containers[0];
        assert.equal(container?.livenessProbe?.httpGet?.path, '/healthz');
        assert.equal(container?.startupProbe?.httpGet?.path, '/healthz');
        assert.equal(container?.readinessProbe?.httpGet?.path, '/readyz');
      });

      it('points VISAGE_CLIP_MODEL into the mounted CLIP volume when CLIP is enabled', () => {
        const manifests = render(args);
        const clipModel = only(manifests, 'ConfigMap').data?.['VISAGE_CLIP_MODEL'];
        const mounts = podOf(only(manifests, 'Deployment')).spec.containers[0]?.volumeMounts ?? [];
        const clipMount = mounts.find((m) => m.name === 'clip');
        assert.equal(clipModel === undefined, clipMount === undefined, 'VISAGE_CLIP_MODEL and the clip mount come and go together');
        if (clipMount) assert.ok(String(clipModel).startsWith(`${clipMount.mountPath}/`), `${clipModel} is not under ${clipMount.mountPath}`);
      });

      it('runs the embedded database as one pod without migration Job, and otherwise migrates in a hook', () => {
        const manifests = render(args);
        const deployment = only(manifests, 'Deployment');
        const embedded = (values['embedded'] as JsonObject | undefined)?.['enabled'] === true;
        const env = podOf(deployment).spec.containers[0]?.env ?? [];
        if (embedded) {
          assert.equal((deployment.spec as JsonObject)['replicas'], 1);
          assert.equal(((deployment.spec as JsonObject)['strategy'] as JsonObject)['type'], 'Recreate');
          assert.deepEqual(ofKind(manifests, 'Job'), [], 'a migration Job for the embedded database');
          assert.deepEqual(ofKind(manifests, 'HorizontalPodAutoscaler'), []);
          assert.ok(!env.some((e) => e.name === 'DATABASE_URL'), 'DATABASE_URL set in embedded mode');
          assert.ok(only(manifests, 'ConfigMap').data?.['VISAGE_DATA_DIR'], 'VISAGE_DATA_DIR unset in embedded mode');
        } else {
          const job = only(manifests, 'Job');
          assert.equal(job.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
          assert.ok(env.some((e) => e.name === 'DATABASE_URL'), 'no DATABASE_URL for an external database');
        }
      });
    });
  }

  const refusals: [string, string[], RegExp][] = [
    ['no database at all', [], /secret\.databaseUrl or secret\.existingSecret/],
    ['two replicas on the embedded database, schema skipped', ['--skip-schema-validation', '--set', 'embedded.enabled=true'], /one pod/],
    ['a grace period shorter than the drain', ['--set', 'secret.databaseUrl=postgres://db/visage', '--set', 'terminationGracePeriodSeconds=10'], /terminationGracePeriodSeconds/],
    ['CLIP enabled without a volume', ['--set', 'secret.databaseUrl=postgres://db/visage', '--set', 'clip.enabled=true'], /clip\.existingClaim or clip\.volume/],
    ['a snapshot directory without a volume', ['--set', 'secret.databaseUrl=postgres://db/visage', '--set', 'snapshots.store=directory'], /snapshots\.existingClaim/],
    ['a database URL that is not PostgreSQL', ['--set', 'secret.databaseUrl=mysql://db/visage'], /databaseUrl/],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses to render ${what}`, () => {
      const result = helm(['template', 'rel', chartDir, ...args]);
      assert.notEqual(result.status, 0, `helm template ${args.join(' ')} rendered`);
      assert.match(result.stderr, message);
    });
  }
});
