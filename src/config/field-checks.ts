/**
 * Checks of single values that a type cannot express: regexes, semver ranges, cron
 * expressions, durations, ECR repository URIs, ARNs. Each returns what is wrong and how to
 * fix it, or undefined when the value is fine. The schema runs them; they are pure.
 */
import { validateDetailed } from 'node-cron';
import { nodeRange } from '../checks/semver-dialect.js';
import { parseRepositoryUri } from '../checks/ecr-uri.js';
import { hostProblem, parseImageReference } from '../checks/image-ref.js';
import { CONTEXT_MAX, isCheckContext, isValidBranch } from '../checks/grammar.js';
import { REGEX_HINT, regexProblem } from '../checks/regex.js';
import { parseDuration } from './duration.js';
import { lowerFirst } from './text.js';

export interface Problem {
  readonly message: string;
  readonly hint?: string;
}

export type FieldCheck = (value: string) => Problem | undefined;

export const REPOSITORY_URI_SHAPE = '<12-digit account>.dkr.ecr.<region>.amazonaws.com/<name>';

/** A `registries:` key: the host (and port) images name, as in `ghcr.io` or `127.0.0.1:5000`. */
export const checkRegistryHost: FieldCheck = (host) => {
  const problem = host === 'index.docker.io' ? undefined : hostProblem(host);
  if (problem === undefined && !host.includes('://')) return undefined;
  return {
    message: `\`${host}\` is not a registry host: ${problem ?? 'a URL'}`,
    hint: 'write the host as images name it, without a scheme or path: ghcr.io, docker.io, 127.0.0.1:5000',
  };
};

export const checkContext: FieldCheck = (context) =>
  isCheckContext(context)
    ? undefined
    : {
        message: `not a commit status context: ${JSON.stringify(context).slice(0, 80)}`,
        hint: `the context as the forge shows it, one line of at most ${CONTEXT_MAX} characters, e.g. kustomization/apps`,
      };

export const checkRegex: FieldCheck = (source) => {
  const problem = regexProblem(source);
  if (problem === undefined) return undefined;
  return { message: `invalid regular expression \`${source}\`: ${lowerFirst(problem)}`, hint: REGEX_HINT };
};

export const checkSemverRange: FieldCheck = (range) => {
  if (range.trim() === '') {
    return {
      message: 'the semver range is empty',
      hint: "write '*' for any version, or a range such as ^1.2.0",
    };
  }
  const dialect = nodeRange(range);
  if (!('problem' in dialect)) return undefined;
  const generic = dialect.problem.startsWith('not a range');
  return {
    message: `\`${range}\` is not a semver range`,
    hint: `${generic ? '' : `${dialect.problem}; `}use a range such as ^1.2.0, ~1.2, >=1.0.0 <2.0.0 (or Flux's >=1.0.0, <2.0.0), or >=1.0.0-0 to include prereleases`,
  };
};

const CRON_FIELD_NAMES: Readonly<Record<string, string>> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  dayOfMonth: 'day of month',
  month: 'month',
  dayOfWeek: 'day of week',
};

export const checkCron: FieldCheck = (expression) => {
  const result = validateDetailed(expression);
  if (result.valid) return undefined;
  const reasons = result.errors.map((error) => {
    const field = CRON_FIELD_NAMES[error.field];
    if (field === undefined || error.value === undefined || /impossible/.test(error.message)) {
      return error.message;
    }
    return `\`${error.value}\` is not a valid ${field}`;
  });
  return {
    message: `invalid cron expression \`${expression}\`: ${reasons.join('; ')}`,
    hint: "five fields (minute hour day-of-month month day-of-week), or six with seconds first; e.g. '*/5 * * * *' is every 5 minutes",
  };
};

export const checkDuration: FieldCheck = (text) => {
  if (parseDuration(text) !== undefined) return undefined;
  return {
    message: `\`${text}\` is not a duration`,
    hint: 'write a number and a unit, e.g. 90s, 15m, 24h or 7d (units: ms, s, m, h, d, w; combine as 1h30m)',
  };
};

/**
 * An image repository (SPEC §12): an ECR repository URI (read through the ECR API), or any
 * other image reference, normalised as Docker does. Text that looks like ECR but is not a valid
 * ECR URI gets ECR's hints.
 */
export const checkImageRepository: FieldCheck = (uri) => {
  if (parseRepositoryUri(uri) !== undefined) return undefined;
  if (!uri.includes('.dkr.ecr')) {
    const scheme = /^[a-z][a-z0-9+.-]{0,20}:\/\//i.exec(uri);
    if (scheme)
      return {
        message: `\`${uri}\` is not an image repository`,
        hint: `remove \`${scheme[0]}\`: write it as docker pull would take it, e.g. ghcr.io/acme/api`,
      };
    const other = parseImageReference(uri);
    if ('reference' in other) return undefined;
    return {
      message: `\`${uri}\` is not an image repository: ${other.problem}`,
      hint: 'write it as docker pull would take it without a tag: nginx, ghcr.io/acme/api, 127.0.0.1:5000/team/api, or <account>.dkr.ecr.<region>.amazonaws.com/<name>',
    };
  }
  const message = `\`${uri}\` is not an ECR repository URI`;
  const shape = `expected ${REPOSITORY_URI_SHAPE} (China: .amazonaws.com.cn; FIPS: dkr.ecr-fips.<region>)`;
  const scheme = /^[a-z]+:\/\//i.exec(uri);
  if (scheme) return { message, hint: `remove \`${scheme[0]}\`: ${shape}` };
  const slash = uri.indexOf('/');
  if (slash < 0) return { message, hint: `add the repository name after the host: ${shape}` };
  const name = uri.slice(slash + 1);
  if (/[@:]/.test(name)) {
    return { message, hint: `remove the tag or digest; policies choose the tag: ${shape}` };
  }
  if (name !== name.toLowerCase()) return { message, hint: `ECR repository names are lowercase: ${shape}` };
  if (!/^\d{12}\./.test(uri))
    return { message, hint: `the host starts with the 12-digit account id: ${shape}` };
  return { message, hint: shape };
};

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

export const checkRegion: FieldCheck = (region) =>
  REGION.test(region)
    ? undefined
    : {
        message: `\`${region}\` is not an AWS region`,
        hint: 'a region code such as eu-west-1 or cn-north-1',
      };

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export const checkRoleArn: FieldCheck = (arn) =>
  ROLE_ARN.test(arn)
    ? undefined
    : {
        message: `\`${arn}\` is not an IAM role ARN`,
        hint: 'expected arn:aws:iam::<12-digit account>:role/<name>',
      };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Prefixes of tokens people paste where the variable's name belongs (GitHub, Slack). */
const TOKEN_PREFIX = /^(?:gh[opsu]_|github_pat_|xox[abp]-)/;

export const checkEnvName: FieldCheck = (name) =>
  ENV_NAME.test(name) && !TOKEN_PREFIX.test(name)
    ? undefined
    : {
        message: `\`${redactLong(name)}\` is not an environment variable name`,
        hint: 'name the variable that holds the secret (e.g. DRAWBRIDGE_EVENTS_TOKEN), never the secret itself',
      };

/** Image keys and environment names appear in markers (`ns:image:tag`), commits and trailers. */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const checkKey: FieldCheck = (key) =>
  KEY_PATTERN.test(key)
    ? undefined
    : {
        message: `\`${key}\` is not a valid name`,
        hint: 'use letters, digits, `.`, `_` and `-`, starting with a letter or digit (markers use `:` as a separator)',
      };

/** A value that looks like a secret should not be echoed back in full. */
function redactLong(text: string): string {
  return text.length > 12 ? `${text.slice(0, 4)}…` : text;
}

/** git check-ref-format's rules for a branch name, in short. */
export const checkBranch: FieldCheck = (branch) => {
  if (isValidBranch(branch)) return undefined;
  return {
    message: `\`${branch}\` is not a valid branch name`,
    hint: 'no spaces, `..`, `~^:?*[\\`, leading `-` or `.`, or trailing `/`, `.` or `.lock` (see git check-ref-format)',
  };
};

/** The placeholders a templated `push.branch` may name. */
export const BRANCH_PLACEHOLDERS = ['env', 'image'] as const;

/** A branch name, or a template of one naming only `{env}` and `{image}`. */
export const checkBranchTemplate: FieldCheck = (template) => {
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => !(BRANCH_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0)
    return {
      message: `unknown placeholder {${unknown[0]}} in \`${template}\``,
      hint: 'a push branch may name {env} and {image}, e.g. drawbridge/{env}/{image}',
    };
  return checkBranch(template.replaceAll('{env}', 'env').replaceAll('{image}', 'image'));
};

/** Paths are folders or files inside the repository, written with `/`. */
export const checkRepoPath: FieldCheck = (path) => {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) {
    return {
      message: `\`${path}\` is absolute`,
      hint: 'paths are relative to the repository root, e.g. clusters/prod',
    };
  }
  if (path.split(/[\\/]/).includes('..')) {
    return {
      message: `\`${path}\` leaves the repository`,
      hint: 'paths must stay inside the repository: remove `..`',
    };
  }
  if (path.includes('\\')) return { message: `\`${path}\` uses \`\\\``, hint: 'separate folders with `/`' };
  return undefined;
};

export const checkHttpPath: FieldCheck = (path) =>
  path.startsWith('/') ? undefined : { message: `\`${path}\` does not start with /`, hint: `write /${path}` };
