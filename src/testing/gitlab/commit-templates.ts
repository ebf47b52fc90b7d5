/**
 * GitLab's merge and squash commit message templates (Settings → Merge requests). The
 * defaults are GitLab's own; note the squash default is the merge request's title alone, so
 * a commit's trailers survive a squash only through `squash_commit_message` or a template
 * such as `%{first_multiline_commit}`.
 */

export const DEFAULT_MERGE_COMMIT_TEMPLATE = [
  "Merge branch '%{source_branch}' into '%{target_branch}'",
  '',
  '%{title}',
  '',
  '%{issues}',
  '',
  'See merge request %{reference}',
].join('\n');

export const DEFAULT_SQUASH_COMMIT_TEMPLATE = '%{title}';

export type TemplateVariables = Readonly<Record<string, string>>;

const VARIABLE = /%\{([a-z_]+)\}/g;
const LONE_VARIABLE = /^\s*%\{([a-z_]+)\}\s*$/;

/**
 * Fills `%{name}`; an unknown name stays as written. As GitLab does, a line holding only a
 * variable that is empty is dropped, and so is the blank line before it when one follows.
 */
export function renderCommitTemplate(template: string, variables: TemplateVariables): string {
  const lines = template.split('\n');
  const out: string[] = [];
  lines.forEach((line, index) => {
    const lone = LONE_VARIABLE.exec(line)?.[1];
    if (lone !== undefined && variables[lone] === '') {
      if (out.at(-1) === '' && lines[index + 1] === '') out.pop();
      return;
    }
    out.push(line.replace(VARIABLE, (whole, name: string) => variables[name] ?? whole));
  });
  return out.join('\n');
}
