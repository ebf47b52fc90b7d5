import { planFileEdits, applyFileEdits } from '../../src/manifest/index.js';
import type { DesiredImage } from '../../src/manifest/index.js';
const IMAGES = 20;
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
type Shape = 'deployment' | 'kustomization' | 'values' | 'configmap';
function shapeOf(index: number): Shape {
  if (index % 10 === 0) return 'deployment';
  if (index % 20 === 5) return 'kustomization';
  if (index % 40 === 7) return 'values';
  return 'configmap';
}

function repeatLines(count: number, line: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => line(i)).join('');
}

function deployment(index: number, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${index}
  labels: { app.kubernetes.io/name: app-${index}, team: platform }
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: app-${index}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-${index}
    spec:
      containers:
        - name: app
          image: ${REGISTRY}/${image}:1.0.0 # {"$imagepolicy": "flux-system:${image}"}
          ports:
            - { containerPort: 8080, name: http }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 256Mi }
          readinessProbe:
            httpGet: { path: /readyz, port: http }
          env:
${repeatLines(40, (i) => `            - name: SETTING_${i}\n              value: "value of setting ${i} for app ${index}"\n`)}`;
}

function kustomization(image: string): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
images:
  - name: ${image}
    newName: ${REGISTRY}/${image}
    newTag: 1.0.0 # {"$imagepolicy": "${image}:tag"}
`;
}

function values(image: string): string {
  return `replicaCount: 2
image:
  repository: ${REGISTRY}/${image} # {"$imagepolicy": "${image}:name"}
  tag: "1.0.0" # {"$imagepolicy": "${image}:tag"}
  pullPolicy: IfNotPresent
${repeatLines(30, (i) => `option${i}:\n  enabled: true\n  note: 'option ${i} of the chart'\n`)}`;
}

function configmap(index: number, size: number): string {
  const head = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${index}\ndata:\n`;
  const lines: string[] = [head];
  let length = head.length;
  for (let i = 0; length < size; i += 1) {
    const line = `  key_${i}: "some configuration value number ${i} for map ${index}"\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('');
}


const files: Buffer[] = [];
for (let index = 0; index < 10000; index++) {
  const image = `image-${index % IMAGES}`;
  const shape = shapeOf(index);
  if (shape === 'configmap') continue;
  files.push(Buffer.from(shape === 'deployment' ? deployment(index, image) : shape === 'kustomization' ? kustomization(image) : values(image)));
}
const desired = new Map(Array.from({ length: IMAGES }, (_, i): [string, DesiredImage] => [`image-${i}`, { imageKey: `image-${i}`, repository: `${REGISTRY}/image-${i}`, tag: '2.0.0', digest: '', pinDigest: false }]));
const known = new Set(desired.keys());
console.log('files', files.length, 'MB', files.reduce((a, b) => a + b.length, 0) / 1e6);
for (let rep = 0; rep < 4; rep++) {
  let t = performance.now();
  const plans = files.map((b, i) => planFileEdits(`f${i}`, b, desired, known));
  const tp = performance.now() - t;
  t = performance.now();
  let ok = 0;
  plans.forEach((p, i) => { if (p.edits.length && applyFileEdits(files[i]!, p.edits, p.fingerprint).ok) ok++; });
  const ta = performance.now() - t;
  console.log(`plan ${tp.toFixed(0)} apply ${ta.toFixed(0)} ok ${ok}`);
}
import { writeFileSync } from 'node:fs';
