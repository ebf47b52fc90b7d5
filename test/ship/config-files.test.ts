/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   parsed manifests and templates are walked as loose documents; the assertions check their shape. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, type Tags } from 'yaml';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { PLACEHOLDER_SECRETS } from '../../src/daemon/http-auth.js';
import { ecrPushPattern } from '../../src/events/pattern.js';

const root = join(import.meta.dirname, '..', '..');
const configDir = join(root, 'config');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(configDir).map((path) => relative(configDir, path).split('\\').join('/'));

/** CloudFormation's short-form intrinsic functions, as the yaml package's custom tags. */
const cloudFormationTags: Tags = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'FindInMap',
  'ImportValue',
  'Base64',
  'GetAZs',
].flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const toValue = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return [
    { tag: `!${name}`, resolve: (text: string) => toValue(text) },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (seq: { toJSON(): unknown }) => toValue(seq.toJSON()),
    },
    {
      tag: `!${name}`,
      collection: 'map' as const,
      resolve: (map: { toJSON(): unknown }) => toValue(map.toJSON()),
    },
  ];
});

type Doc = Record<string, any>;

function readDocuments(file: string): Doc[] {
  const text = readFileSync(join(configDir, file), 'utf8');
  if (extname(file) === '.json') return [JSON.parse(text) as Doc];
  const customTags = file.endsWith('.cloudformation.yaml') ? cloudFormationTags : [];
  const documents = parseAllDocuments(text, { customTags, prettyErrors: true });
  if (!Array.isArray(documents)) throw new Error(`${file}: not a YAML stream`);
  const problems = documents.flatMap((doc) => [...doc.errors, ...doc.warnings].map((error) => error.message));
  if (problems.length > 0) throw new Error(`${file}:\n${problems.join('\n')}`);
  return documents.map((doc) => doc.toJS() as Doc).filter((doc) => doc !== null);
}

const one = (file: string): Doc => {
  const [doc] = readDocuments(file);
  if (!doc) throw new Error(`${file} is empty`);
  return doc;
};

describe('every file under config/', () => {
  it('is YAML or JSON, and parses', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(
        ['.yaml', '.yml', '.json'],
        `${file}: unknown file type (teach this test to check it)`,
      ).toContain(extname(file));
      expect(() => readDocuments(file), file).not.toThrow();
    }
  });

  it('is known to this test, so each gets a specific check', () => {
    const known = new Set([
      'drawbridge.example.yaml',
      'aws/eventbridge-sqs.cloudformation.yaml',
      ...readdirSync(join(configDir, 'iam')).map((name) => `iam/${name}`),
      ...readdirSync(join(configDir, 'kubernetes')).map((name) => `kubernetes/${name}`),
    ]);
    expect(files.filter((file) => !known.has(file))).toEqual([]);
  });
});

describe('config/drawbridge.example.yaml', () => {
  const file = join(configDir, 'drawbridge.example.yaml');
  const text = readFileSync(file, 'utf8');

  it('passes the config loader without warnings', async () => {
    const loaded = await loadConfig({ path: file, env: {}, cwd: root });
    expect(loaded.warnings ?? []).toEqual([]);
    expect(Object.keys(loaded.config.environments)).toEqual(['dev', 'staging', 'prod', 'platform-prod']);
  });

  it('shows every key of the schema, set or as a commented-out line', () => {
    const raw = one('drawbridge.example.yaml');
    // `repositories.<name>` takes the keys of `git:` (the example says so): shown once there.
    const shownUnderGit = (path: string) =>
      path.startsWith('repositories.*.') && new RegExp(`\\b${path.split('.').at(-1) ?? ''}:`).test(text);
    const missing = missingKeys(configJsonSchema(), [raw], '').filter(
      (path) => !new RegExp(`#\\s*${path.split('.').at(-1) ?? ''}:`).test(text) && !shownUnderGit(path),
    );
    expect(missing).toEqual([]);
  });

  it('uses every ordering and every modifier', () => {
    const policies = Object.values(
      one('drawbridge.example.yaml')['environments'] as Record<string, Doc>,
    ).flatMap((environment) => Object.values(environment['policies'] as Record<string, Doc>));
    const used = new Set(policies.flatMap((policy) => Object.keys(policy)));
    const values = new Set(
      policies.flatMap((policy) => [policy['order'], policy['unscanned'], policy['direction']]),
    );
    expect([...used].sort()).toEqual(
      [
        'digest',
        'direction',
        'exclude',
        'extract',
        'maxSeverity',
        'minAge',
        'newest',
        'order',
        'pattern',
        'promote',
        'semver',
        'unscanned',
      ].sort(),
    );
    for (const value of ['numerical', 'alphabetical', 'skip', 'allow', 'asc'])
      expect(values).toContain(value);
  });
});

/** Schema paths (`environments.*.policies.*.semver`) that no value at that place sets. */
function missingKeys(schema: Doc, values: readonly unknown[], path: string): string[] {
  const objects = values.filter((value): value is Doc => value !== null && typeof value === 'object');
  const missing: string[] = [];
  for (const [key, child] of Object.entries((schema['properties'] ?? {}) as Record<string, Doc>)) {
    const here = path ? `${path}.${key}` : key;
    const present = objects.map((object) => object[key]).filter((value) => value !== undefined);
    if (present.length === 0) {
      missing.push(here);
      continue;
    }
    missing.push(...missingKeys(child, present, here));
  }
  const record = schema['additionalProperties'];
  if (record && typeof record === 'object') {
    missing.push(
      ...missingKeys(
        record as Doc,
        objects.flatMap((object) => Object.values(object)),
        `${path}.*`,
      ),
    );
  }
  return missing;
}

describe('config/kubernetes', () => {
  const manifests = files
    .filter((file) => file.startsWith('kubernetes/') && file !== 'kubernetes/kustomization.yaml')
    .flatMap((file) => readDocuments(file).map((doc) => ({ file, doc })));
  const byKind = (kind: string) => manifests.filter(({ doc }) => doc['kind'] === kind).map(({ doc }) => doc);
  const [deployment] = byKind('Deployment');
  const pod = deployment?.['spec']?.['template']?.['spec'] as Doc;
  const container = pod?.['containers']?.[0] as Doc;

  it('has the expected kinds, all in the drawbridge namespace and labelled', () => {
    expect(manifests.map(({ doc }) => doc['kind']).sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'Namespace',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ].sort(),
    );
    for (const { file, doc } of manifests) {
      expect(doc['apiVersion'], file).toBeTypeOf('string');
      const namespace = doc['kind'] === 'Namespace' ? doc['metadata']['name'] : doc['metadata']['namespace'];
      expect(namespace, file).toBe('drawbridge');
      expect(doc['metadata']['labels']?.['app.kubernetes.io/name'], file).toBe('drawbridge');
    }
  });

  it('the kustomization lists files that exist, leaving the ServiceMonitor out', () => {
    const kustomization = one('kubernetes/kustomization.yaml');
    const resources = kustomization['resources'] as string[];
    for (const resource of resources) expect(files).toContain(`kubernetes/${resource}`);
    expect(resources).not.toContain('servicemonitor.yaml');
    expect(readFileSync(join(configDir, 'kubernetes/kustomization.yaml'), 'utf8')).toMatch(
      /#\s*- servicemonitor\.yaml/,
    );
    const listed = new Set(resources);
    const unlisted = files.filter((file) => file.startsWith('kubernetes/') && dirname(file) === 'kubernetes');
    expect(unlisted.filter((file) => !listed.has(file.slice('kubernetes/'.length)))).toEqual([
      'kubernetes/kustomization.yaml',
      'kubernetes/servicemonitor.yaml',
    ]);
    expect(kustomization['images']?.[0]?.name).toBe(container?.['image']);
  });

  it('annotates the ServiceAccount for IRSA and mentions Pod Identity', () => {
    const [account] = byKind('ServiceAccount');
    expect(account?.['metadata']['annotations']['eks.amazonaws.com/role-arn']).toMatch(
      /^arn:aws:iam::\d{12}:role\//,
    );
    expect(readFileSync(join(configDir, 'kubernetes/serviceaccount.yaml'), 'utf8')).toMatch(/Pod Identity/);
    expect(pod?.['serviceAccountName']).toBe(account?.['metadata']['name']);
  });

  it('the ConfigMap embeds a drawbridge.yaml that loads', () => {
    const [configMap] = byKind('ConfigMap');
    const embedded = configMap?.['data']?.['drawbridge.yaml'] as string;
    const { config, warnings } = parseConfig(embedded, 'configmap.yaml#drawbridge.yaml');
    expect(warnings ?? []).toEqual([]);
    expect(config.server.port).toBe(container?.['ports']?.[0]?.containerPort);
    expect(config.git.auth?.sshKeyFile).toMatch(/^\/etc\/drawbridge\/ssh\//);
  });

  it('ships no Secret: the ones the Deployment reads are created by the user, as documented', () => {
    expect(byKind('Secret')).toEqual([]);
    const kustomization = one('kubernetes/kustomization.yaml');
    expect(kustomization).not.toHaveProperty('secretGenerator');
    const kustomizationText = readFileSync(join(configDir, 'kubernetes/kustomization.yaml'), 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const volumes = (pod?.['volumes'] as Doc[]).flatMap((volume) =>
      volume['secret'] ? [volume['secret']['secretName'] as string] : [],
    );
    const env = (container?.['env'] as Doc[]).flatMap((variable) => {
      const ref = variable['valueFrom']?.['secretKeyRef'] as Doc | undefined;
      return ref ? [ref['name'] as string] : [];
    });
    expect(volumes).toEqual(['drawbridge-git-ssh']);
    expect(env).toEqual(['drawbridge-events']);
    for (const name of [...volumes, ...env]) {
      expect(readme, name).toMatch(new RegExp(`kubectl -n drawbridge create secret generic ${name} `));
      expect(kustomizationText, name).toContain(name);
    }
  });

  it('the daemon refuses every placeholder secret value that config/ or the README shows', () => {
    const texts = [
      readFileSync(join(root, 'README.md'), 'utf8'),
      ...files.map((file) => readFileSync(join(configDir, file), 'utf8')),
    ];
    const placeholders = texts.flatMap((text) => text.match(/REPLACE-WITH-[\w.-]+/g) ?? []);
    for (const placeholder of placeholders) expect(PLACEHOLDER_SECRETS).toContain(placeholder);
    for (const text of texts) expect(text).not.toMatch(/^kind: Secret$/m);
  });

  it('the PodDisruptionBudget lets drains through one pod at a time', () => {
    const [budget] = byKind('PodDisruptionBudget');
    expect(budget?.['apiVersion']).toBe('policy/v1');
    expect(budget?.['spec']['selector']).toEqual(deployment?.['spec']['selector']);
    // minAvailable: 1 with a single replica would block every node drain.
    expect(budget?.['spec']).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(budget?.['spec']).not.toHaveProperty('minAvailable');
  });

  it('the NetworkPolicy allows DNS, HTTPS, SSH and Pod Identity out, the HTTP port in', () => {
    const [policy] = byKind('NetworkPolicy');
    const spec = policy?.['spec'] as Doc;
    expect(spec['podSelector']).toEqual(deployment?.['spec']['selector']);
    expect([...(spec['policyTypes'] as string[])].sort()).toEqual(['Egress', 'Ingress']);
    const ports = (rule: Doc) =>
      (rule['ports'] as Doc[])
        .map((port) => `${port['protocol'] as string}/${port['port'] as string}`)
        .sort();
    const egress = spec['egress'] as Doc[];
    expect(egress.map(ports)).toEqual([['TCP/53', 'UDP/53'], ['TCP/22', 'TCP/443'], ['TCP/80']]);
    const [dns, outside, podIdentity] = egress;
    expect(dns?.['to']).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
    expect(outside?.['to']).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } },
      { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } },
    ]);
    expect(podIdentity?.['to']).toEqual([
      { ipBlock: { cidr: '169.254.170.23/32' } },
      { ipBlock: { cidr: 'fd00:ec2::23/128' } },
    ]);
    const [ingress, ...moreIngress] = spec['ingress'] as Doc[];
    expect(moreIngress).toEqual([]);
    const httpPort = (container?.['ports'] as Doc[]).find((port) => port['name'] === 'http');
    expect(ports(ingress ?? {})).toEqual([`TCP/${httpPort?.['name'] as string}`]);
    expect(
      (ingress?.['from'] as Doc[]).map(
        (peer) => peer['namespaceSelector']['matchLabels']['kubernetes.io/metadata.name'] as string,
      ),
    ).toEqual(['monitoring', 'ingress-nginx']);
    const text = readFileSync(join(configDir, 'kubernetes/networkpolicy.yaml'), 'utf8');
    for (const assumption of [
      'kube-dns',
      'Pod Identity',
      'monitoring',
      'ingress-nginx',
      'ipBlock',
      'kubelet',
    ])
      expect(text).toContain(assumption);
  });

  it('the Deployment probes, limits and locks down the container', () => {
    expect(deployment?.['spec']['replicas']).toBe(1);
    expect(container?.['livenessProbe']['httpGet']['path']).toBe('/healthz');
    expect(container?.['readinessProbe']['httpGet']['path']).toBe('/readyz');
    expect(container?.['resources']['requests']).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container?.['resources']['limits']['memory']).toBeTypeOf('string');
    expect(pod?.['securityContext']).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container?.['securityContext']).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const volumes = new Map((pod?.['volumes'] as Doc[]).map((volume) => [volume['name'] as string, volume]));
    const mounts = new Map(
      (container?.['volumeMounts'] as Doc[]).map((mount) => [
        mount['mountPath'] as string,
        mount['name'] as string,
      ]),
    );
    for (const path of ['/tmp', '/var/lib/drawbridge'])
      expect(volumes.get(mounts.get(path) ?? '')?.['emptyDir'], path).toBeDefined();
    expect(volumes.get(mounts.get('/etc/drawbridge') ?? '')?.['configMap']?.name).toBe(
      byKind('ConfigMap')[0]?.['metadata']['name'],
    );
    expect(volumes.get(mounts.get('/etc/drawbridge/ssh') ?? '')?.['secret']?.secretName).toBe(
      'drawbridge-git-ssh',
    );
    expect(readFileSync(join(configDir, 'kubernetes/deployment.yaml'), 'utf8')).toMatch(/safe/);
  });

  it('the Service exposes the events endpoint and the metrics port the ServiceMonitor scrapes', () => {
    const [service] = byKind('Service');
    const ports = (service?.['spec']['ports'] as Doc[]).map((port) => port['name'] as string);
    expect(ports).toEqual(['events', 'metrics']);
    expect(byKind('ServiceMonitor')[0]?.['spec']['endpoints'][0]).toMatchObject({
      port: 'metrics',
      path: '/metrics',
    });
    expect(service?.['spec']['selector']).toEqual(deployment?.['spec']['selector']['matchLabels']);
  });
});

describe('config/iam', () => {
  const actions = (doc: Doc): string[] =>
    (doc['Statement'] as Doc[]).flatMap((statement) => [statement['Action']].flat() as string[]).sort();

  it('drawbridge-policy.json grants exactly what drawbridge calls, on named resources', () => {
    const policy = one('iam/drawbridge-policy.json');
    expect(actions(policy)).toEqual(
      [
        'ecr:DescribeImages',
        'ecr:DescribeImageScanFindings',
        'ecr:DescribeRepositories',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
        'events:PutEvents',
      ].sort(),
    );
    for (const statement of policy['Statement'] as Doc[]) {
      expect(statement['Effect']).toBe('Allow');
      for (const resource of [statement['Resource']].flat() as string[]) expect(resource).not.toBe('*');
    }
    const resources = (policy['Statement'] as Doc[]).flatMap((statement) => [statement['Resource']].flat());
    expect(resources).toContain('arn:aws:events:eu-west-1:123456789012:event-bus/default');
  });

  it('every file is an IAM policy document', () => {
    for (const file of files.filter((name) => name.startsWith('iam/'))) {
      const doc = one(file);
      expect(doc['Version'], file).toBe('2012-10-17');
      for (const statement of doc['Statement'] as Doc[]) {
        expect(statement['Effect'], file).toBe('Allow');
        expect([statement['Action']].flat().length, file).toBeGreaterThan(0);
      }
    }
  });

  it('sts:AssumeRole only in the cross-account files; trust policies for IRSA and Pod Identity', () => {
    expect(actions(one('iam/cross-account-assume-role-policy.json'))).toEqual(['sts:AssumeRole']);
    expect(one('iam/cross-account-trust-policy.json')['Statement'][0]['Condition']).toHaveProperty(
      'StringEquals.sts:ExternalId',
    );
    const irsa = one('iam/trust-policy-irsa.json')['Statement'][0] as Doc;
    expect(irsa['Action']).toBe('sts:AssumeRoleWithWebIdentity');
    expect(Object.values(irsa['Condition']['StringEquals'])).toContain(
      'system:serviceaccount:drawbridge:drawbridge',
    );
    expect(one('iam/trust-policy-pod-identity.json')['Statement'][0]['Principal']).toEqual({
      Service: 'pods.eks.amazonaws.com',
    });
  });
});

describe('config/aws/eventbridge-sqs.cloudformation.yaml', () => {
  const template = one('aws/eventbridge-sqs.cloudformation.yaml');
  const resources = template['Resources'] as Record<string, Doc>;
  const ofType = (type: string) =>
    Object.entries(resources).filter(([, resource]) => resource['Type'] === type);

  it('has the rule with the ECR push pattern and a repository prefix parameter', () => {
    const [[ruleId, rule] = ['', {}]] = ofType('AWS::Events::Rule');
    const pattern = rule['Properties']['EventPattern'] as Doc;
    const expected = ecrPushPattern({ repositoryNames: [] });
    expect(pattern['source']).toEqual(expected['source']);
    expect(pattern['detail-type']).toEqual(expected['detail-type']);
    const expectedDetail = expected['detail'] as Record<string, unknown>;
    expect(pattern['detail']['action-type']).toEqual(expectedDetail['action-type']);
    expect(pattern['detail']['result']).toEqual(expectedDetail['result']);
    expect(pattern['detail']['repository-name']).toEqual([{ prefix: { Ref: 'RepositoryPrefix' } }]);
    expect(template['Parameters']).toHaveProperty('RepositoryPrefix');
    expect(rule['Properties']['EventBusName']).toBe('default');
    const [[queueId] = ['']] = ofType('AWS::SQS::Queue').filter(
      ([, queue]) => queue['Properties']['RedrivePolicy'],
    );
    expect(rule['Properties']['Targets'][0]['Arn']).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(ruleId).not.toBe('');
  });

  it('has the queue with a dead-letter queue after 5 receives, and a policy naming the rule', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    const [queueId, queue] = queues.find(([, candidate]) => candidate['Properties']['RedrivePolicy']) ?? [
      '',
      {},
    ];
    const redrive = queue['Properties']['RedrivePolicy'] as Doc;
    expect(redrive['maxReceiveCount']).toBe(5);
    const dlqId = (redrive['deadLetterTargetArn'] as Doc)['Fn::GetAtt'][0] as string;
    expect(resources[dlqId]?.['Type']).toBe('AWS::SQS::Queue');
    const [[, policy] = ['', {}]] = ofType('AWS::SQS::QueuePolicy');
    expect(policy['Properties']['Queues']).toEqual([{ Ref: queueId }]);
    const [ruleId] = ofType('AWS::Events::Rule')[0] ?? [''];
    expect(policy['Properties']['PolicyDocument']['Statement'][0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
    });
  });

  it('outputs the queue URL for events.sqs.queueUrl', () => {
    expect(Object.keys(template['Outputs'] as Doc)).toEqual(
      expect.arrayContaining(['QueueUrl', 'QueueArn', 'DeadLetterQueueUrl', 'RuleArn']),
    );
  });
});
