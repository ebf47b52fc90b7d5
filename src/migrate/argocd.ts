/**
 * `drawbridge import argocd-image-updater` (SPEC §13): Argo CD `Application`s annotated for
 * Argo CD Image Updater → drawbridge.yaml, plus where each image's markers belong.
 * - `image-list`: `[alias=]image[:constraint]`, comma-separated; each an image key (the alias,
 *   else the image's last path segment; another repository under that key gets `<app>-<key>`).
 * - Per alias (`<alias>.<option>`, `/` written `_`), else the Application-wide option:
 *   `update-strategy` semver (default; the constraint, Masterminds), newest-build (`latest`),
 *   alphabetical (`name`), digest (the constraint is the tag followed); `allow-tags`
 *   (`regexp:` → `pattern`, `any`), `ignore-tags` (Go globs → `exclude`), `platforms`,
 *   `pull-secret`, `force-update`; `helm.image-name`/`-tag`/`-spec` and `kustomize.image-name`
 *   say where the markers go.
 * - One environment per Application: the repository (`git-repository`, else the source's
 *   `repoURL`), the branch (`git-branch` `base[:target]`, else `targetRevision`), the source
 *   path (and the write-back target's folder when it lies elsewhere), the target branch as
 *   `push.branch` (Go templates translated where they map).
 * - `write-back-method` `argocd` (the default) and the `.argocd-source-<app>.yaml` target
 *   have no counterpart: a note says what to do.
 * Every value is outside data: names become keys, paths must stay inside the repository, and
 * anything that does not carry over is a note, never dropped silently.
 */
import { parseImageReference } from '../checks/image-ref.js';
import { mastermindsSpelling } from '../checks/semver-dialect.js';
import { checkBranch, checkBranchTemplate } from '../config/field-checks.js';
import { readSettings, SETTINGS_NAME } from './argocd-settings.js';
import { globToRegex } from './glob.js';
import { gitUrls, keyOf } from './names.js';
import { field, text, type KubeObject } from './objects.js';
import type { ImportedConfig, ImportedEnvironment, ImportedPolicy } from './render.js';
import type { MarkerRequest } from './marker-requests.js';

const PREFIX = 'argocd-image-updater.argoproj.io/';
const MAX_IMAGES_PER_APP = 100;

export interface ArgoImport {
  readonly config: ImportedConfig;
  readonly markers: readonly MarkerRequest[];
}

interface ListedImage {
  readonly alias: string | undefined;
  readonly image: string;
  readonly constraint: string | undefined;
}

type Strategy = 'semver' | 'newest-build' | 'alphabetical' | 'digest';

const STRATEGIES: Readonly<Record<string, Strategy>> = {
  semver: 'semver',
  'newest-build': 'newest-build',
  latest: 'newest-build',
  alphabetical: 'alphabetical',
  name: 'alphabetical',
  digest: 'digest',
};

const isApplication = (object: KubeObject): boolean =>
  object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/');

export function importArgoCd(objects: readonly KubeObject[]): ArgoImport {
  const applications = objects.filter(
    (object) => isApplication(object) && object.annotations[`${PREFIX}image-list`] !== undefined,
  );
  const settings = readSettings(objects);
  const ignored = objects.length - applications.length - (settings ? 1 : 0);
  const images: ImportedConfig['images'][number][] = [];
  /** Image key → the normalised repository it names. */
  const keyed = new Map<string, string>();
  const environments: ImportedEnvironment[] = [];
  const markers: MarkerRequest[] = [];
  const urls = gitUrls();
  const gitNotes: string[] = [...(settings?.notes ?? [])];
  const environmentNames = new Set<string>();
  const seen = new Set<Strategy>();

  for (const app of applications) {
    const option = (alias: string | undefined, name: string): string | undefined => {
      const own =
        alias === undefined ? undefined : app.annotations[`${PREFIX}${alias.replaceAll('/', '_')}.${name}`];
      return own ?? app.annotations[`${PREFIX}${name}`];
    };
    const envNotes: string[] = [];
    const source = sourceOf(app, envNotes);
    const url = option(undefined, 'git-repository') ?? source.repoURL;
    let repository: string | undefined;
    if (url === undefined)
      envNotes.push('its source names no Git repoURL (a Helm chart repository?): set git-repository by hand');
    else repository = urls.place(url, `${app.name}-repo`);

    const branchSpec = option(undefined, 'git-branch');
    const [baseText, targetText] = splitBranch(branchSpec);
    let branch = baseText ?? source.targetRevision;
    if (branch === undefined || branch === 'HEAD' || /^[0-9a-f]{40}$/.test(branch)) {
      envNotes.push(
        `its targetRevision ${branch ?? '(none)'} is not a branch: drawbridge needs the branch to commit to; main stands in`,
      );
      branch = 'main';
    } else if (checkBranch(branch) !== undefined) {
      envNotes.push(`its branch ${branch} is not a valid branch name: main stands in`);
      branch = 'main';
    }
    const pushBranch = targetText === undefined ? undefined : pushBranchOf(targetText, app, envNotes);

    const method = option(undefined, 'write-back-method') ?? 'argocd';
    if (!method.startsWith('git'))
      envNotes.push(
        `Image Updater wrote parameter overrides into the Application through the Argo CD API (write-back-method ${method}); drawbridge commits to Git: move the image into the manifests at the marked places (--write-markers) and remove the overrides`,
      );
    else if (method.startsWith('git:secret:'))
      envNotes.push(
        `Image Updater pushed with the credentials in ${method.slice('git:secret:'.length)}: give drawbridge Git credentials (git.auth) — see Authentication`,
      );
    const target = writeBackTarget(option(undefined, 'write-back-target'), source.path, app.name, envNotes);

    let name = keyOf(app.name);
    if (environmentNames.has(name)) name = keyOf(`${app.namespace}-${app.name}`);
    for (let n = 2; environmentNames.has(name); n += 1) name = keyOf(`${app.namespace}-${app.name}-${n}`);
    environmentNames.add(name);
    const policies: ImportedPolicy[] = [];
    const listed = imageList(app.annotations[`${PREFIX}image-list`] ?? '', envNotes);
    for (const entry of listed) {
      const policyNotes: string[] = [];
      const parsed = parseImageReference(entry.image);
      if ('problem' in parsed) {
        envNotes.push(`image ${entry.image} left out: ${parsed.problem}`);
        continue;
      }
      const key = imageKey(keyed, entry, parsed.reference.name, app.name);
      if (policies.some((policy) => policy.image === key)) {
        envNotes.push(`image-list names ${entry.alias ?? entry.image} twice: the first is read`);
        continue;
      }
      if (!keyed.has(key)) {
        keyed.set(key, parsed.reference.name);
        const imageNotes: string[] = [];
        const secret = option(entry.alias, 'pull-secret');
        if (secret !== undefined)
          imageNotes.push(
            `Image Updater read it with ${secret.split(':')[0] ?? 'a'} credentials: give drawbridge them under registries.${parsed.reference.host} (usernameEnv, passwordEnv) or a Docker config; ECR needs none (the AWS chain)`,
          );
        images.push({ key, repository: entry.image, notes: imageNotes });
      }
      const fields = policyFields(entry, option, policyNotes, seen);
      if (fields === undefined) {
        envNotes.push(...policyNotes);
        continue;
      }
      policies.push({ image: key, fields, notes: policyNotes });
      if (target.kind !== 'none')
        markers.push({
          environment: name,
          imageKey: key,
          target: target.kind,
          path: target.path,
          kustomizeNames: kustomizeNamesOf(entry, option(entry.alias, 'kustomize.image-name')),
          helm: {
            spec: option(entry.alias, 'helm.image-spec'),
            name: option(entry.alias, 'helm.image-name') ?? 'image.name',
            tag: option(entry.alias, 'helm.image-tag') ?? 'image.tag',
          },
          digest: fields['digest'] === true,
        });
    }

    // The source path, and the target's folder when it lies elsewhere; the root means the whole branch.
    const folders = target.kind === 'none' ? [source.path] : [source.path, target.folder];
    const paths = folders.some((path) => path === undefined || path === '')
      ? []
      : [...new Set(folders as string[])];
    environments.push({
      name,
      ...(repository === undefined ? {} : { repository }),
      branch,
      ...(paths.length > 0 ? { paths } : {}),
      ...(pushBranch !== undefined && pushBranch !== branch ? { pushBranch } : {}),
      policies,
      notes: envNotes,
    });
  }
  if (seen.has('semver'))
    gitNotes.push(
      'Image Updater also took tags like 1.2 (read as 1.2.0) for semver; drawbridge takes X.Y.Z[-pre] only (see the dialect table under Policies in the README)',
    );
  if (seen.has('newest-build'))
    gitNotes.push(
      "newest-build read each image config's build date; newest: pushed reads the push time from ECR (imagePushedAt) and the creation time from other registries",
    );
  if (applications.length === 0)
    gitNotes.push('no Application with an argocd-image-updater.argoproj.io/image-list annotation was read');
  const header = [
    `drawbridge.yaml imported from Argo CD Image Updater by \`drawbridge import argocd-image-updater\`: ${images.length} images, ${environments.length} environments.`,
    'Read every NOTE before `drawbridge validate`, then `drawbridge scan --dry-run --explain`.',
    ...(ignored > 0 ? [`${ignored} objects without Image Updater annotations were not read.`] : []),
    ...(settings
      ? []
      : [`Registries and the commit author come from the ConfigMap ${SETTINGS_NAME} when it is read too.`]),
  ];
  return {
    config: {
      header,
      git: {
        url: urls.list[0]?.url ?? 'https://git.example.invalid/set-me.git',
        ...(settings?.author ? { author: settings.author } : {}),
      },
      gitNotes: urls.list.length === 0 ? [...gitNotes, 'no Git repoURL was read: set git.url'] : gitNotes,
      repositories: urls.list.slice(1),
      images,
      registries: settings?.registries ?? [],
      environments,
    },
    markers,
  };
}

interface Source {
  readonly repoURL?: string;
  readonly targetRevision?: string;
  readonly path?: string;
}

/** `spec.source`, else the first of `spec.sources` with a path (a Git source, not a chart). */
function sourceOf(app: KubeObject, notes: string[]): Source {
  const single = field(app.spec, 'source');
  const many = field(app.spec, 'sources');
  let chosen: unknown = single;
  if (chosen === undefined && Array.isArray(many)) {
    chosen = many.find((entry) => text(field(entry, 'path')) !== undefined) ?? many[0];
    if (many.length > 1)
      notes.push(
        'a multi-source Application: its first source with a path is the environment; check the others',
      );
  }
  const repoURL = text(field(chosen, 'repoURL'));
  const targetRevision = text(field(chosen, 'targetRevision'));
  const rawPath = text(field(chosen, 'path'));
  const path = rawPath === undefined ? undefined : cleanPath(rawPath);
  if (rawPath !== undefined && path === undefined)
    notes.push(`its source path ${rawPath} leaves the repository: the whole branch stands in`);
  return {
    ...(repoURL === undefined ? {} : { repoURL }),
    ...(targetRevision === undefined ? {} : { targetRevision }),
    ...(path === undefined ? {} : { path }),
  };
}

/** A repository-relative POSIX path without `./`, or undefined when it leaves the repository. */
export function cleanPath(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function splitBranch(spec: string | undefined): [string | undefined, string | undefined] {
  if (spec === undefined) return [undefined, undefined];
  const colon = spec.indexOf(':');
  if (colon < 0) return [text(spec.trim()), undefined];
  return [text(spec.slice(0, colon).trim()), text(spec.slice(colon + 1).trim())];
}

/**
 * Image Updater's target branch template (Go text/template) as a drawbridge `push.branch`:
 * the Application's name and namespace are literal here; anything naming the change (the
 * images, their tags, a hash of them) becomes `{env}`: one branch for the environment, rebuilt
 * as newer tags come (a branch per image needs a forge and `push.pullRequest`, said in a note).
 */
function pushBranchOf(template: string, app: KubeObject, notes: string[]): string | undefined {
  let branch = template
    .replace(/\{\{-?\s*\.AppName\s*-?\}\}/g, app.name)
    .replace(/\{\{-?\s*\.AppNamespace\s*-?\}\}/g, app.namespace);
  if (branch.includes('{{')) {
    const perImage = /\.(?:Name|Alias|NewTag|OldTag)\b/.test(branch);
    // The literal text up to the first action, and inside a range over the images up to its first.
    const prefix = branch.slice(0, branch.indexOf('{{'));
    const inRange = /^\{\{-?\s*range\s+\.Images\s*-?\}\}([^{]*)\{\{/.exec(branch.slice(prefix.length));
    const head = `${prefix}${inRange?.[1] ?? ''}`;
    branch = `${head}{env}`;
    notes.push(
      `its branch template ${template} names each change; drawbridge pushes one branch for the environment (${branch}), rebuilt as newer tags come${perImage ? `; for a branch and pull request per image, set git.forge and push: { branch: "${head}{image}", pullRequest: {} }` : ''}`,
    );
  }
  notes.push(
    'Image Updater pushed to a branch of its own: with git.forge and push.pullRequest drawbridge opens the pull request too (see Pull requests)',
  );
  const problem = checkBranchTemplate(branch);
  if (problem === undefined) return branch;
  notes.push(
    `its target branch ${template} is not a branch drawbridge can push (${problem.message}): set push.branch by hand`,
  );
  return undefined;
}

type Target =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'kustomization' | 'helmvalues';
      /** The kustomization folder, or the values file, from the repository root. */
      readonly path: string;
      readonly folder: string;
    };

function writeBackTarget(
  spec: string | undefined,
  sourcePath: string | undefined,
  appName: string,
  notes: string[],
): Target {
  const base = sourcePath ?? '';
  if (spec === undefined) {
    notes.push(
      `Image Updater wrote .argocd-source-${appName}.yaml (its default write-back target), which drawbridge does not write: mark the image in the manifests (write-back-target kustomization or helmvalues, then --write-markers)`,
    );
    return { kind: 'none' };
  }
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const given = colon < 0 ? undefined : spec.slice(colon + 1);
  if (kind !== 'kustomization' && kind !== 'helmvalues') {
    notes.push(`write-back-target ${spec} is not kustomization or helmvalues: mark the image by hand`);
    return { kind: 'none' };
  }
  const fallback = kind === 'kustomization' ? '.' : 'values.yaml';
  const relative = given === undefined || given === '' ? fallback : given;
  const path = cleanPath(relative.startsWith('/') ? relative : `${base}/${relative}`);
  if (path === undefined) {
    notes.push(`write-back-target ${spec} leaves the repository: mark the image by hand`);
    return { kind: 'none' };
  }
  const folder = kind === 'kustomization' ? path : path.split('/').slice(0, -1).join('/');
  return { kind, path, folder };
}

/** `[alias=]image[:constraint]`, comma-separated; a constraint is the part after the last `:` past the last `/`. */
function imageList(list: string, notes: string[]): ListedImage[] {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > MAX_IMAGES_PER_APP) {
    notes.push(`image-list names ${entries.length} images; the first ${MAX_IMAGES_PER_APP} are read`);
    entries.length = MAX_IMAGES_PER_APP;
  }
  return entries.map((entry) => {
    const equals = entry.indexOf('=');
    const alias = equals < 0 ? undefined : text(entry.slice(0, equals).trim());
    const rest = equals < 0 ? entry : entry.slice(equals + 1).trim();
    const colon = rest.lastIndexOf(':');
    const hasConstraint = colon > rest.lastIndexOf('/');
    return {
      alias,
      image: hasConstraint ? rest.slice(0, colon) : rest,
      constraint: hasConstraint ? text(rest.slice(colon + 1).trim()) : undefined,
    };
  });
}

/**
 * The names a kustomization's `images:` entry may give the image: `kustomize.image-name`, else
 * the alias (with Kustomize, `argoproj/argocd=ghcr.io/…` names the original image), else the
 * image itself.
 */
function kustomizeNamesOf(entry: ListedImage, annotated: string | undefined): string[] {
  if (annotated !== undefined) return [annotated];
  return [...new Set([entry.alias, entry.image].filter((name): name is string => name !== undefined))];
}

/** The alias (else the last path segment), or `<app>-<key>` when that names another repository. */
function imageKey(
  keyed: ReadonlyMap<string, string>,
  entry: ListedImage,
  name: string,
  appName: string,
): string {
  const base = keyOf(entry.alias ?? entry.image.split('/').pop() ?? entry.image);
  const same = (key: string): boolean => (keyed.get(key) ?? name) === name;
  if (same(base)) return base;
  const scoped = keyOf(`${appName}-${base}`);
  let key = scoped;
  for (let n = 2; !same(key); n += 1) key = keyOf(`${scoped}-${n}`);
  return key;
}

function policyFields(
  entry: ListedImage,
  option: (alias: string | undefined, name: string) => string | undefined,
  notes: string[],
  seen: Set<Strategy>,
): Record<string, string | boolean | readonly string[]> | undefined {
  const fields: Record<string, string | boolean | readonly string[]> = {};
  const who = entry.alias ?? entry.image;
  const strategyText = option(entry.alias, 'update-strategy') ?? 'semver';
  let strategy = STRATEGIES[strategyText];
  if (strategy === undefined) {
    notes.push(
      `update-strategy ${strategyText} of ${who} is not one Image Updater knows; it used semver, and so does this`,
    );
    strategy = 'semver';
  }
  seen.add(strategy);
  switch (strategy) {
    case 'semver':
      fields['semver'] = entry.constraint === undefined ? '*' : mastermindsSpelling(entry.constraint);
      break;
    case 'newest-build':
      fields['newest'] = 'pushed';
      break;
    case 'alphabetical':
      fields['order'] = 'alphabetical';
      break;
    case 'digest': {
      if (entry.constraint === undefined) {
        notes.push(`${who} follows a digest but names no tag to follow (image:tag): left out`);
        return undefined;
      }
      fields['order'] = 'alphabetical';
      fields['pattern'] = `^${entry.constraint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
      fields['digest'] = true;
      break;
    }
  }
  if (strategy !== 'semver' && strategy !== 'digest' && entry.constraint !== undefined)
    notes.push(
      `the constraint ${entry.constraint} of ${who} had no effect under ${strategyText}, nor has it here`,
    );

  const allow = option(entry.alias, 'allow-tags') ?? option(entry.alias, 'tag-match');
  if (allow !== undefined && allow !== 'any') {
    if (!allow.startsWith('regexp:')) {
      notes.push(
        `allow-tags ${allow} of ${who} is no match function Image Updater knows, so it matched no tag: left out`,
      );
      return undefined;
    }
    if (strategy === 'digest') notes.push(`allow-tags of ${who} does not narrow a followed tag; left out`);
    else fields['pattern'] = allow.slice('regexp:'.length);
  }
  const ignore = option(entry.alias, 'ignore-tags');
  if (ignore !== undefined) {
    const globs = ignore
      .split(',')
      .map((glob) => glob.trim())
      .filter((glob) => glob !== '');
    if (globs.includes('*')) {
      notes.push(
        `ignore-tags * of ${who} disabled its updates: left out (or hold the image: drawbridge hold)`,
      );
      return undefined;
    }
    const exclude = globs.map(globToRegex).filter((regex): regex is string => regex !== undefined);
    if (exclude.length < globs.length)
      notes.push(`an ignore-tags glob of ${who} is malformed and was left out`);
    if (exclude.length > 0) fields['exclude'] = exclude;
  }
  const platforms = option(entry.alias, 'platforms');
  if (platforms !== undefined)
    notes.push(
      `${who} was limited to platforms ${platforms}: drawbridge does not filter by platform; check the chosen tags carry them`,
    );
  return fields;
}
