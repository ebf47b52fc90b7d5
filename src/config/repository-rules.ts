/**
 * Rules about repositories (SPEC §9): an environment's `repository:` names one that exists,
 * `default` is the name of `git:`, two entries never point at the same remote (they would
 * share a clone), and a message template names only known placeholders.
 */
import type { PathIssue, PathSegment } from './issues.js';
import { unknownPlaceholders, TEMPLATE_PLACEHOLDERS } from './message-template.js';
import { entriesOf, isMapping } from './raw.js';
import { DEFAULT_REPOSITORY } from './repositories.js';
import { suggestionHint } from './suggest.js';

export function repositoryRules(input: Record<string, unknown>): PathIssue[] {
  const issues: PathIssue[] = [];
  const repositories = entriesOf(input['repositories']);
  const names = [DEFAULT_REPOSITORY, ...repositories.map(([name]) => name)];

  if (repositories.some(([name]) => name === DEFAULT_REPOSITORY)) {
    issues.push({
      path: ['repositories', DEFAULT_REPOSITORY],
      at: 'key',
      message: `\`${DEFAULT_REPOSITORY}\` is the name of the \`git:\` repository`,
      hint: 'give this repository another name',
    });
  }

  for (const [environment, value] of entriesOf(input['environments'])) {
    const name = isMapping(value) ? value['repository'] : undefined;
    if (typeof name !== 'string' || names.includes(name)) continue;
    issues.push({
      path: ['environments', environment, 'repository'],
      message: `repository \`${name}\` is not under \`repositories:\``,
      hint:
        repositories.length === 0
          ? `declare it under \`repositories:\` (e.g. repositories: { ${name}: { url: … } }), or leave \`repository\` out to use \`git:\``
          : suggestionHint(name, names, 'repositories'),
    });
  }

  const urls: { url: string; name: string; at: PathSegment[] }[] = [];
  const git = input['git'];
  if (isMapping(git) && typeof git['url'] === 'string')
    urls.push({ url: git['url'], name: 'git', at: ['git', 'url'] });
  for (const [name, entry] of repositories) {
    if (isMapping(entry) && typeof entry['url'] === 'string')
      urls.push({ url: entry['url'], name: `repositories.${name}`, at: ['repositories', name, 'url'] });
  }
  for (const [index, later] of urls.entries()) {
    const earlier = urls.slice(0, index).find((other) => sameRemote(other.url, later.url));
    if (earlier === undefined) continue;
    issues.push({
      path: later.at,
      message: `\`${later.name}\` and \`${earlier.name}\` point at the same remote`,
      hint: 'one repository entry per remote: put both sets of environments in one of them (paths keep them apart)',
    });
  }

  const templates: [PathSegment[], unknown][] = [
    [['git', 'messageTemplate'], isMapping(git) ? git['messageTemplate'] : undefined],
    ...repositories.map(([name, entry]): [PathSegment[], unknown] => [
      ['repositories', name, 'messageTemplate'],
      isMapping(entry) ? entry['messageTemplate'] : undefined,
    ]),
  ];
  for (const [path, template] of templates) {
    if (typeof template !== 'string') continue;
    const unknown = unknownPlaceholders(template);
    if (unknown.length === 0) continue;
    issues.push({
      path,
      message: `unknown placeholder${unknown.length === 1 ? '' : 's'} ${unknown.map((name) => `{{${name}}}`).join(', ')}`,
      hint: suggestionHint(unknown[0] ?? '', TEMPLATE_PLACEHOLDERS, 'placeholders'),
    });
  }
  return issues;
}

/** A repository no environment names (warning). */
export function unusedRepositoryWarnings(input: Record<string, unknown>): PathIssue[] {
  const used = new Set(
    entriesOf(input['environments']).map(([, value]) => {
      const name = isMapping(value) ? value['repository'] : undefined;
      return typeof name === 'string' ? name : DEFAULT_REPOSITORY;
    }),
  );
  return entriesOf(input['repositories'])
    .filter(([name]) => !used.has(name))
    .map(([name]) => ({
      path: ['repositories', name],
      at: 'key' as const,
      message: `repository \`${name}\` has no environment, so drawbridge never touches it`,
      hint: `add an environment with \`repository: ${name}\`, or remove it`,
    }));
}

/** Same remote, whatever trailing slash or `.git` suffix each spelling has. */
function sameRemote(a: string, b: string): boolean {
  const normal = (url: string): string =>
    url
      .trim()
      .replace(/\/+$/, '')
      .replace(/\.git$/, '');
  return normal(a) === normal(b);
}
