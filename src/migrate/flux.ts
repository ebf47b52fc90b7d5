/**
 * `drawbridge import flux` (SPEC §13): Flux's image automation objects → drawbridge.yaml.
 * - `ImageRepository` (image.toolkit.fluxcd.io v1beta2, v1): `spec.image` is the repository
 *   (ECR or any other registry); `exclusionList` becomes the image's `exclude` (Flux's default
 *   `^.*\.sig$` is drawbridge's default already); `insecure` a `registries` entry; a
 *   `secretRef` or `provider` a note on where credentials now come from.
 * - `ImagePolicy`: one image key per policy, named as its markers name it
 *   (`{"$imagepolicy": "ns:name"}`); `semver.range` (Masterminds, read as Flux reads it),
 *   `numerical.order` and `alphabetical.order` with `filterTags.pattern` and `.extract`.
 * - `ImageUpdateAutomation`: one environment each, with its checkout branch, `update.path`
 *   and `push.branch`, picking every policy of its namespace, as Flux's setters do; the
 *   author; the message template only when it has no Go template actions, else a note.
 * - `GitRepository` (source.toolkit.fluxcd.io): the URL of the automations' `sourceRef`.
 * Anything else is a note in the output, never dropped silently.
 */
import { parseRepositoryUri } from '../checks/ecr-uri.js';
import { parseImageReference } from '../checks/image-ref.js';
import { mastermindsSpelling } from '../checks/semver-dialect.js';
import { labelSelector, type LabelMatcher } from './label-selector.js';
import { gitUrls, keyOf } from './names.js';
import { field, text, type KubeObject } from './objects.js';
import type { ImportedConfig, ImportedEnvironment, ImportedPolicy, PolicyFields } from './render.js';

const FLUX_DEFAULT_EXCLUSION = '^.*\\.sig$';

const kindIs = (object: KubeObject, kind: string, group: string): boolean =>
  object.kind === kind && object.apiVersion.startsWith(`${group}/`);

export function importFlux(objects: readonly KubeObject[]): ImportedConfig {
  const repositories = objects.filter((o) => kindIs(o, 'ImageRepository', 'image.toolkit.fluxcd.io'));
  const policies = objects.filter((o) => kindIs(o, 'ImagePolicy', 'image.toolkit.fluxcd.io'));
  const automations = objects.filter((o) => kindIs(o, 'ImageUpdateAutomation', 'image.toolkit.fluxcd.io'));
  const sources = objects.filter((o) => kindIs(o, 'GitRepository', 'source.toolkit.fluxcd.io'));
  const ignored =
    objects.length - repositories.length - policies.length - automations.length - sources.length;

  const gitNotes: string[] = [];
  const registries = new Map<string, { host: string; insecure: boolean; notes: string[] }>();
  const images: ImportedConfig['images'][number][] = [];
  const policyOf = new Map<
    string,
    { namespace: string; labels: Readonly<Record<string, string>>; fields: PolicyFields; notes: string[] }
  >();
  const repositoryByName = new Map(repositories.map((r) => [`${r.namespace}/${r.name}`, r]));

  for (const policy of policies) {
    const key = keyOf(policy.name);
    const notes: string[] = [];
    if (policyOf.has(key)) {
      gitNotes.push(
        `ImagePolicy ${policy.namespace}/${policy.name} left out: another namespace has a policy of that name, and markers name policies without their namespace`,
      );
      continue;
    }
    const refName = text(field(policy.spec, 'imageRepositoryRef', 'name'));
    const refNamespace = text(field(policy.spec, 'imageRepositoryRef', 'namespace')) ?? policy.namespace;
    const repository = refName === undefined ? undefined : repositoryByName.get(`${refNamespace}/${refName}`);
    const image = text(repository?.spec['image']);
    if (repository === undefined || image === undefined) {
      gitNotes.push(
        `ImagePolicy ${policy.namespace}/${policy.name} left out: its ImageRepository ${refNamespace}/${refName ?? '?'} is not among the objects read (or has no spec.image)`,
      );
      continue;
    }
    const imageNotes: string[] = [];
    const exclude = (Array.isArray(repository.spec['exclusionList']) ? repository.spec['exclusionList'] : [])
      .filter((entry): entry is string => typeof entry === 'string')
      .filter((entry) => entry !== FLUX_DEFAULT_EXCLUSION);
    const secret = text(field(repository.spec, 'secretRef', 'name'));
    const provider = text(repository.spec['provider']);
    const ecr = parseRepositoryUri(image) !== undefined;
    const parsed = parseImageReference(image);
    const host = ecr ? undefined : 'reference' in parsed ? parsed.reference.host : undefined;
    if (secret !== undefined)
      imageNotes.push(
        ecr
          ? `Flux read it with secret ${secret}; drawbridge reads ECR with the AWS chain (IRSA, Pod Identity)`
          : `Flux read it with secret ${secret}: give drawbridge the credentials under registries.${host ?? '<host>'} (usernameEnv, passwordEnv) or a Docker config`,
      );
    if (provider !== undefined && provider !== 'generic' && !(provider === 'aws' && ecr))
      imageNotes.push(
        `Flux's provider ${provider} has no drawbridge counterpart: give credentials under registries.${host ?? '<host>'}`,
      );
    if (repository.spec['insecure'] === true && host !== undefined && !registries.has(host))
      registries.set(host, {
        host,
        insecure: true,
        notes: [`ImageRepository ${repository.namespace}/${repository.name} read it over plain HTTP`],
      });
    if (!images.some((entry) => entry.key === key))
      images.push({ key, repository: image, ...(exclude.length > 0 ? { exclude } : {}), notes: imageNotes });
    const fields = policyFields(policy, notes);
    if (fields !== undefined)
      policyOf.set(key, { namespace: policy.namespace, labels: policy.labels, fields, notes });
  }

  // The Git repositories the automations push to: the first is `git:`, the others `repositories:`.
  const urls = gitUrls();
  const environments: ImportedEnvironment[] = [];
  let author: { name: string; email: string } | undefined;
  let messageTemplate: string | undefined;
  for (const automation of automations) {
    const envNotes: string[] = [];
    const sourceName = text(field(automation.spec, 'sourceRef', 'name'));
    const sourceNamespace = text(field(automation.spec, 'sourceRef', 'namespace')) ?? automation.namespace;
    const source = sources.find((s) => s.name === sourceName && s.namespace === sourceNamespace);
    const url = text(source?.spec['url']);
    let repositoryName: string | undefined;
    if (url === undefined)
      envNotes.push(
        `its GitRepository ${sourceNamespace}/${sourceName ?? '?'} was not among the objects read: set git.url (or a repositories: entry) by hand`,
      );
    else repositoryName = urls.place(url, sourceName ?? `repo-${urls.list.length}`);
    const branch =
      text(field(automation.spec, 'git', 'checkout', 'ref', 'branch')) ??
      text(field(source?.spec, 'ref', 'branch')) ??
      'main';
    const pushBranch = text(field(automation.spec, 'git', 'push', 'branch'));
    if (field(automation.spec, 'git', 'push', 'refspec') !== undefined)
      envNotes.push('push.refspec has no counterpart: drawbridge pushes the branch itself (or push.branch)');
    const path = text(field(automation.spec, 'update', 'path'));
    const paths =
      path === undefined || path === '.' || path === './'
        ? undefined
        : [path.replace(/^\.\//, '').replace(/\/$/, '')];
    const commitAuthor = field(automation.spec, 'git', 'commit', 'author');
    const name = text(field(commitAuthor, 'name'));
    const email = text(field(commitAuthor, 'email'));
    if (name !== undefined && email !== undefined) {
      if (author && (author.name !== name || author.email !== email))
        envNotes.push(
          `its commit author ${name} <${email}> differs from the first automation's; git.author keeps that one`,
        );
      author ??= { name, email };
    }
    const template = text(field(automation.spec, 'git', 'commit', 'messageTemplate'));
    if (template !== undefined) {
      if (!template.includes('{{')) messageTemplate ??= template;
      else
        envNotes.push(
          "its messageTemplate uses Go template actions, which drawbridge's {{ placeholders }} do not read; drawbridge's default message (who, what, why, trailers) is used — see the README's Commits",
        );
    }
    if (field(automation.spec, 'git', 'commit', 'signingKey') !== undefined)
      envNotes.push(
        'commits were signed with an OpenPGP key from a secret: set git.signing (format, key) to sign',
      );
    // Flux runs the setters of its namespace's policies, or of those policySelector selects.
    const selector = field(automation.spec, 'policySelector');
    let selects: LabelMatcher = () => true;
    if (selector !== undefined) {
      const read = labelSelector(selector);
      if (typeof read === 'function') selects = read;
      else
        envNotes.push(
          `its policySelector cannot be read (${read.problem}): every policy of the namespace is in this environment; remove those it did not select`,
        );
    }
    const picked: ImportedPolicy[] = [];
    for (const [image, policy] of policyOf) {
      if (policy.namespace !== automation.namespace || !selects(policy.labels)) continue;
      picked.push({ image, fields: policy.fields, notes: policy.notes });
    }
    environments.push({
      name: keyOf(automation.name),
      ...(repositoryName === undefined ? {} : { repository: repositoryName }),
      branch,
      ...(paths ? { paths } : {}),
      ...(pushBranch !== undefined && pushBranch !== branch ? { pushBranch } : {}),
      policies: picked,
      notes: envNotes,
    });
  }
  const header = [
    `drawbridge.yaml imported from Flux image automation by \`drawbridge import flux\`: ${images.length} images, ${environments.length} environments.`,
    'Read every NOTE before `drawbridge validate`, then `drawbridge scan --dry-run --explain`.',
    ...(ignored > 0 ? [`${ignored} objects of other kinds were not read.`] : []),
  ];
  if (automations.length === 0) gitNotes.push('no ImageUpdateAutomation was read: add environments by hand');
  return {
    header,
    git: {
      url: urls.list[0]?.url ?? 'https://git.example.invalid/set-me.git',
      ...(author ? { author } : {}),
      ...(messageTemplate === undefined ? {} : { messageTemplate }),
    },
    gitNotes: urls.list.length === 0 ? [...gitNotes, 'no GitRepository was read: set git.url'] : gitNotes,
    repositories: urls.list.slice(1),
    images,
    registries: [...registries.values()],
    environments,
  };
}

function policyFields(policy: KubeObject, notes: string[]): PolicyFields | undefined {
  const spec = policy.spec;
  const fields: Record<string, string> = {};
  const range = text(field(spec, 'policy', 'semver', 'range'));
  const numerical = text(field(spec, 'policy', 'numerical', 'order'));
  const alphabetical = text(field(spec, 'policy', 'alphabetical', 'order'));
  if (range !== undefined) fields['semver'] = mastermindsSpelling(range);
  else if (numerical !== undefined || alphabetical !== undefined) {
    fields['order'] = numerical !== undefined ? 'numerical' : 'alphabetical';
    const direction = numerical ?? alphabetical ?? 'asc';
    if (direction === 'desc') fields['direction'] = 'desc';
    if (numerical !== undefined)
      notes.push(
        'Flux fails the whole policy on one tag that is not a number; drawbridge skips that tag (not-numeric) and picks among the others',
      );
  } else {
    notes.push(
      `ImagePolicy ${policy.namespace}/${policy.name} names no semver, numerical or alphabetical policy; semver '*' stands in: choose one`,
    );
    fields['semver'] = '*';
  }
  const pattern = text(field(spec, 'filterTags', 'pattern'));
  const extract = text(field(spec, 'filterTags', 'extract'));
  if (pattern !== undefined) fields['pattern'] = pattern;
  if (extract !== undefined && pattern !== undefined) fields['extract'] = extract;
  if (
    text(field(spec, 'digestReflectionPolicy')) !== undefined &&
    field(spec, 'digestReflectionPolicy') !== 'Never'
  )
    notes.push(
      'digestReflectionPolicy: drawbridge pins digests with `digest: true` on a policy; add it if the markers should carry one',
    );
  return fields;
}
