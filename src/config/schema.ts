/**
 * The one schema of drawbridge.yaml: TypeScript types (z.output), validation (the loader)
 * and the published JSON Schema (`drawbridge schema`) all come from here.
 * Rules across fields (unknown image keys, one ordering per policy, promotion cycles, branch
 * overlaps) live in rules.ts; the loader reports both with file, line and column.
 */
import { z } from 'zod';
import { FORGE_TYPES, MERGE_METHODS } from '../forge.js';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import {
  checkBranch,
  checkBranchTemplate,
  checkContext,
  checkCron,
  checkDuration,
  checkEnvName,
  checkHttpPath,
  checkKey,
  checkRegex,
  checkRegion,
  checkRepoPath,
  checkImageRepository,
  checkRegistryHost,
  checkRoleArn,
  checkSemverRange,
  KEY_PATTERN,
  type FieldCheck,
} from './field-checks.js';

export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The keys of a policy that choose its ordering; a policy has exactly one. */
export const ORDERINGS = ['semver', 'order', 'newest', 'promote'] as const;
export type Ordering = (typeof ORDERINGS)[number];

/** A string the check accepts; its problem (and hint) becomes the issue. */
function checked(check: FieldCheck) {
  return z.string().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { hint: problem.hint } });
  });
}

/** How many at once: 1 to `max`, `fallback` when unset. */
const concurrency = (max: number, fallback: number, description: string) =>
  z.number().int().min(1).max(max).default(fallback).meta({ description });

const duration = checked(checkDuration)
  .transform((text) => parseDuration(text) ?? 0)
  .meta({
    description: 'A duration: a number and a unit (ms, s, m, h, d, w), e.g. 90s, 15m, 24h, 7d, 1h30m.',
    pattern: DURATION_PATTERN.source,
  });

const regex = checked(checkRegex);
const regexList = z
  .array(regex)
  .meta({ description: 'Regular expressions (JavaScript syntax); a tag matching any of them is skipped.' });

const envName = (description: string) => checked(checkEnvName).meta({ description });

/** An authenticated POST endpoint of the daemon: its path and a token header or basic auth. */
const endpointSchema = (defaultPath: string) =>
  z.strictObject({
    path: checked(checkHttpPath)
      .default(defaultPath)
      .meta({ description: `Default ${defaultPath}.`, pattern: '^/' }),
    tokenEnv: envName('Environment variable holding the token the header must carry.').optional(),
    header: z
      .string()
      .default('x-drawbridge-token')
      .meta({ description: 'Header carrying the token; default x-drawbridge-token.' }),
    basicAuth: z
      .strictObject({
        usernameEnv: envName('Environment variable holding the user name.'),
        passwordEnv: envName('Environment variable holding the password.'),
      })
      .optional()
      .meta({ description: 'Basic authentication instead of a token header.' }),
  });
const region = checked(checkRegion).meta({ description: 'AWS region code, e.g. eu-west-1.' });
const roleArn = (description: string) => checked(checkRoleArn).meta({ description });
const keyName = (description: string) => checked(checkKey).meta({ description, pattern: KEY_PATTERN.source });

export const authSchema = z
  .strictObject({
    sshKeyFile: z.string().optional().meta({ description: 'Private key for SSH remotes (a deploy key).' }),
    knownHostsFile: z
      .string()
      .optional()
      .meta({ description: 'known_hosts for SSH remotes; strict host checking uses it.' }),
    strictHostKeyChecking: z
      .boolean()
      .default(true)
      .meta({ description: 'Refuse SSH hosts not in known_hosts (default true).' }),
    tokenEnv: envName(
      'Name of the environment variable holding an HTTPS token (read at run time).',
    ).optional(),
    username: z
      .string()
      .default('x-access-token')
      .meta({ description: 'HTTPS user name sent with the token (default x-access-token).' }),
  })
  .meta({ description: 'Credentials for the Git remote; default: whatever git and ssh already use.' });

export const signingSchema = z
  .strictObject({
    format: z.enum(['openpgp', 'ssh']).meta({ description: 'openpgp (gpg) or ssh signatures.' }),
    key: z.string().min(1).meta({ description: 'Key id (openpgp) or path to the SSH key (ssh).' }),
    program: z.string().optional().meta({ description: 'gpg or ssh-keygen program to use, if not on PATH.' }),
  })
  .meta({ description: 'Sign drawbridge commits.' });

export const forgeSchema = z
  .strictObject({
    type: z
      .enum(FORGE_TYPES)
      .optional()
      .meta({ description: 'github, gitlab or codecommit; default what the URL host says.' }),
    apiUrl: z.url().optional().meta({
      description: 'API root for GitHub Enterprise or self-managed GitLab; default the public API.',
    }),
    repository: z.string().min(1).max(256).optional().meta({
      description: 'acme/fleet, a GitLab project path, a CodeCommit repository; default the URL path.',
    }),
    tokenEnv: envName('Environment variable holding the API token (GitHub, GitLab).').optional(),
    appId: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: 'GitHub App id (instead of a token).' }),
    privateKeyFile: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "The GitHub App's private key (PEM file)." }),
    installationId: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: "The GitHub App's installation id on the repository's owner." }),
    paceWrites: z.boolean().optional().meta({
      description: 'GitHub: space writes 1 s apart (3 s for those that notify) as GitHub asks; default true.',
    }),
  })
  .meta({ description: 'The forge hosting the repository, for pull requests (SPEC §10).' });

export const pullRequestSchema = z
  .strictObject({
    labels: z.array(z.string().min(1).max(100)).max(20).optional().meta({ description: 'Labels to set.' }),
    reviewers: z
      .array(z.string().min(1).max(100))
      .max(20)
      .optional()
      .meta({ description: 'User names asked to review.' }),
    teamReviewers: z
      .array(z.string().min(1).max(100))
      .max(20)
      .optional()
      .meta({ description: 'Team slugs asked to review (GitHub).' }),
    draft: z.boolean().default(false).meta({ description: 'Open as a draft (default false).' }),
    autoMerge: z
      .enum(MERGE_METHODS)
      .optional()
      .meta({ description: "merge, squash or rebase with the forge's auto-merge; absent: a person merges." }),
  })
  .meta({ description: 'Keep a pull request open from push.branch to branch (needs a forge).' });

const authorSchema = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'Commit author name.' }),
    email: z.string().min(3).meta({ description: 'Commit author e-mail.' }),
  })
  .meta({
    description: 'Author and committer of drawbridge commits (default drawbridge <drawbridge@localhost>).',
  });

export const DEFAULT_AUTHOR = { name: 'drawbridge', email: 'drawbridge@localhost' } as const;
export const DEFAULT_HISTORY_DEPTH = 500;
export const DEFAULT_PUSH_ATTEMPTS = 5;

/** The keys a Git repository has, under `git:` and under each `repositories:` entry. */
const repositoryFields = {
  url: z.string().min(1).meta({ description: 'Remote: ssh, https, file:// or a local path.' }),
  author: authorSchema,
  auth: authSchema,
  signing: signingSchema,
  forge: forgeSchema,
  messageTemplate: z.string().meta({ description: 'Commit message template; see the README.' }),
  workdir: z
    .string()
    .meta({ description: 'Where clones live; default $DRAWBRIDGE_WORKDIR, else the user cache folder.' }),
  historyDepth: z
    .number()
    .int()
    .positive()
    .meta({ description: 'Commits of history read per branch (reverts, promotions, holds); default 500.' }),
  pushAttempts: z
    .number()
    .int()
    .min(1)
    .max(20)
    .meta({ description: 'Attempts to push when the remote moved meanwhile; default 5.' }),
};

export const gitSchema = z
  .strictObject({
    ...repositoryFields,
    author: repositoryFields.author.default(DEFAULT_AUTHOR),
    auth: repositoryFields.auth.optional(),
    signing: repositoryFields.signing.optional(),
    forge: repositoryFields.forge.optional(),
    messageTemplate: repositoryFields.messageTemplate.optional(),
    workdir: repositoryFields.workdir.optional(),
    historyDepth: repositoryFields.historyDepth.default(DEFAULT_HISTORY_DEPTH),
    pushAttempts: repositoryFields.pushAttempts.default(DEFAULT_PUSH_ATTEMPTS),
    maxConcurrency: concurrency(
      32,
      4,
      'Repositories reconciled at once (fetch, plan, commit, push); default 4.',
    ),
  })
  .meta({
    description:
      'The default Git repository: environments without `repository:` live here. Other repositories go under `repositories:`.',
  });

/**
 * One more repository: the same keys as `git:` but `maxConcurrency`. Keys left out come from
 * `git:`, except `auth`, which does only when the host is the same (credentials stay with
 * their host).
 */
export const repositorySchema = z
  .strictObject({
    url: repositoryFields.url,
    author: repositoryFields.author.optional(),
    auth: repositoryFields.auth.optional(),
    signing: repositoryFields.signing.optional(),
    forge: repositoryFields.forge.optional(),
    messageTemplate: repositoryFields.messageTemplate.optional(),
    workdir: repositoryFields.workdir.optional(),
    historyDepth: repositoryFields.historyDepth.optional(),
    pushAttempts: repositoryFields.pushAttempts.optional(),
  })
  .meta({
    description: 'A Git repository environments can name with `repository:`; keys left out come from `git:`.',
  });

export const awsSchema = z
  .strictObject({
    region: region.optional().meta({ description: 'Default region; else taken from each repository URI.' }),
    endpoint: z
      .url()
      .optional()
      .meta({ description: 'ECR endpoint override (VPC endpoint, local emulator).' }),
    roleArn: roleArn('Role assumed via STS for every repository (cross-account).').optional(),
    externalId: z.string().optional().meta({ description: 'External id sent when assuming roleArn.' }),
    maxConcurrency: concurrency(64, 8, 'Repositories read at once; default 8.'),
  })
  .meta({ description: 'How to reach ECR; credentials come from the SDK default chain.' });

export const imageSchema = z
  .strictObject({
    repository: checked(checkImageRepository).meta({
      description:
        'Image repository: an ECR URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>, read through the ECR API) or any OCI registry reference (nginx, ghcr.io/acme/api, 127.0.0.1:5000/api).',
    }),
    exclude: regexList.optional(),
    roleArn: roleArn('Role assumed for this repository only.').optional(),
    region: region.optional().meta({ description: 'Region override for this repository.' }),
  })
  .meta({ description: 'An image repository to watch; the key is the name markers use.' });

export const registrySchema = z
  .strictObject({
    usernameEnv: envName('Environment variable holding the user name (with passwordEnv).').optional(),
    passwordEnv: envName(
      'Environment variable holding the password or access token (with usernameEnv).',
    ).optional(),
    tokenEnv: envName(
      'Environment variable holding a bearer token sent as is (no token exchange).',
    ).optional(),
    insecure: z
      .boolean()
      .default(false)
      .meta({ description: 'Plain HTTP to this host (a local registry); default false.' }),
    maxConcurrency: concurrency(32, 4, 'Requests in flight to this host at once; default 4.'),
  })
  .meta({ description: 'How to reach one OCI registry; without it, the Docker config, else anonymous.' });

const policyShape = {
  semver: checked(checkSemverRange)
    .optional()
    .meta({ description: 'Ordering: highest version satisfying this node-semver range, e.g. ^6.0.0.' }),
  order: z
    .enum(['numerical', 'alphabetical'])
    .optional()
    .meta({ description: 'Ordering: highest number or last in byte order (of extract, else the tag).' }),
  direction: z
    .enum(['asc', 'desc'])
    .optional()
    .meta({ description: 'With order: asc (default) picks the highest/last, desc the lowest/first.' }),
  newest: z.literal('pushed').optional().meta({ description: 'Ordering: most recently pushed to ECR.' }),
  promote: z
    .strictObject({
      from: z.string().min(1).meta({ description: 'The environment to promote from.' }),
      after: duration.meta({ description: 'How long a tag must have been live there, e.g. 24h.' }),
      healthy: z.array(checked(checkContext)).min(1).max(20).optional().meta({
        description:
          'Commit status contexts (or check run names) that must report success on the source commit that brought a tag, e.g. kustomization/apps; `after` counts from then, a failure refuses the tag.',
      }),
    })
    .optional()
    .meta({ description: 'Ordering: the newest tag live in environment `from` for at least `after`.' }),
  pattern: regex.optional().meta({ description: 'Only tags matching this regex; groups feed extract.' }),
  extract: z
    .string()
    .optional()
    .meta({ description: 'What to order by: $1, $name or ${name}, a group of pattern.' }),
  exclude: regexList.optional(),
  minAge: duration.optional().meta({ description: 'Only tags pushed at least this long ago (soak time).' }),
  maxSeverity: z
    .enum(SEVERITIES)
    .optional()
    .meta({ description: 'Skip images whose ECR scan found anything above this severity.' }),
  unscanned: z.enum(['skip', 'allow']).default('skip').meta({
    description:
      'With maxSeverity: images whose scan is missing or incomplete are skipped (default) or allowed.',
  }),
  digest: z
    .boolean()
    .default(false)
    .meta({ description: 'Write tag@sha256:… instead of the tag alone (default false).' }),
};

export const policySchema = z.strictObject(policyShape).meta({
  description: 'Exactly one ordering (semver, order, newest or promote); modifiers combine with any.',
  oneOf: ORDERINGS.map((key) => ({ required: [key] })),
  dependentRequired: { extract: ['pattern'], direction: ['order'] },
});

export const environmentSchema = z
  .strictObject({
    repository: keyName(
      'The repository under `repositories:` holding this environment; default `git:`.',
    ).optional(),
    branch: checked(checkBranch).meta({ description: 'The Git branch holding this environment.' }),
    // Paths reach git as pathspecs on its command line, so their number and size are bounded.
    paths: z.array(checked(checkRepoPath).max(1024)).min(1).max(256).optional().meta({
      description:
        'Folders (or files) to edit, relative to the repository root; default the whole branch (at most 256).',
    }),
    push: z
      .strictObject({
        branch: checked(checkBranchTemplate).meta({
          description:
            'Branch to push to, e.g. drawbridge/prod; with {image} (drawbridge/{env}/{image}) one branch and pull request per image.',
        }),
        pullRequest: pullRequestSchema.optional(),
      })
      .optional()
      .meta({ description: 'Push to this branch instead of `branch` (change management: open a PR).' }),
    onFailure: z
      .strictObject({
        revert: z.array(checked(checkContext)).min(1).max(20).meta({
          description:
            "Commit status contexts (or check run names), e.g. kustomization/apps: when one reports failure for a commit drawbridge made on this branch, drawbridge reverts that commit with git revert (never twice, never over a person's later edit).",
        }),
      })
      .optional()
      .meta({ description: 'What drawbridge does when a deployment of its own commit fails.' }),
    policies: z
      .record(keyName('An image key from `images:`.'), policySchema)
      .meta({ description: 'Image key → policy.' }),
  })
  .meta({ description: 'One Git branch (and optional paths) and the policy of each image in it.' });

export const configSchema = z
  .strictObject({
    version: z.literal(1).meta({ description: 'Config format version; always 1.' }),
    git: gitSchema,
    repositories: z
      .record(keyName('Repository name: what `environments.<name>.repository` says.'), repositorySchema)
      .optional()
      .meta({
        description: 'More Git repositories besides `git:`; environments name one with `repository:`.',
      }),
    aws: awsSchema.default({ maxConcurrency: 8 }),
    images: z
      .record(keyName('Image key: the name markers use.'), imageSchema)
      .meta({ description: 'What to watch; the keys are what markers name.' }),
    registries: z
      .record(
        checked(checkRegistryHost).meta({
          description: 'Registry host, as images name it: ghcr.io, 127.0.0.1:5000.',
        }),
        registrySchema,
      )
      .optional()
      .meta({ description: 'Credentials and limits per OCI registry host (not for ECR, which uses aws:).' }),
    environments: z
      .record(keyName('Environment name.'), environmentSchema)
      .meta({ description: 'One Git branch (and optional paths) each.' }),
    schedule: checked(checkCron)
      .default('*/5 * * * *')
      .meta({ description: 'node-cron expression for the full sweep; default every 5 minutes.' }),
    server: z
      .strictObject({
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(8080)
          .meta({ description: 'TCP port; default 8080.' }),
        host: z.string().default('0.0.0.0').meta({ description: 'Address to listen on; default 0.0.0.0.' }),
      })
      .default({ port: 8080, host: '0.0.0.0' })
      .meta({ description: 'HTTP for /healthz, /readyz, /metrics and the events endpoint.' }),
    events: z
      .strictObject({
        sqs: z
          .strictObject({
            queueUrl: z.url().meta({ description: 'The SQS queue an EventBridge rule sends ECR events to.' }),
            waitTimeSeconds: z
              .number()
              .int()
              .min(0)
              .max(20)
              .default(20)
              .meta({ description: 'Long poll; default 20.' }),
            maxMessages: z
              .number()
              .int()
              .min(1)
              .max(10)
              .default(10)
              .meta({ description: 'Per receive; default 10.' }),
          })
          .optional()
          .meta({ description: 'Receive ECR events from an SQS queue an EventBridge rule feeds.' }),
        http: endpointSchema('/events/ecr')
          .optional()
          .meta({ description: 'Receive ECR events from an EventBridge API destination.' }),
        statuses: endpointSchema('/events/status').optional().meta({
          description:
            "Receive deployment statuses (Flux's generic provider, Argo CD's webhook) and record them in Git.",
        }),
        registry: endpointSchema('/events/registry').optional().meta({
          description:
            'Receive push notifications of OCI registries (Distribution, Harbor, Docker Hub, GitHub packages) and rescan only the images they name.',
        }),
        coalesce: duration
          .optional()
          .meta({ description: 'Window in which events are merged; default 500ms.' }),
      })
      .optional()
      .meta({ description: 'React to ECR pushes within seconds (the schedule still runs).' }),
    notify: z
      .strictObject({
        eventBridge: z
          .strictObject({
            eventBusName: z.string().default('default').meta({ description: 'Default: default.' }),
            source: z
              .string()
              .default('drawbridge')
              .meta({ description: 'Event source; default drawbridge.' }),
            endpoint: z.url().optional().meta({ description: 'EventBridge endpoint override.' }),
          })
          .optional()
          .meta({ description: 'Publish one event per pushed update.' }),
        webhooks: z
          .array(
            z
              .strictObject({
                url: z
                  .url({ protocol: /^https?$/ })
                  .optional()
                  .meta({
                    description: 'The receiver (http or https); or urlEnv when the URL holds a token.',
                  }),
                urlEnv: envName('Environment variable holding the receiver URL.').optional(),
                secretEnv: envName(
                  'Environment variable holding the secret: the body is signed with HMAC-SHA256 in X-Drawbridge-Signature-256.',
                ).optional(),
                timeout: duration.optional().meta({ description: 'Per attempt; default 10s.' }),
              })
              .refine((hook) => (hook.url === undefined) !== (hook.urlEnv === undefined), {
                message: 'give the receiver as url or as urlEnv, one of them',
              })
              .meta({ description: 'An HTTP receiver of one JSON POST per pushed update and revert.' }),
          )
          .min(1)
          .max(20)
          .optional()
          .meta({
            description:
              'POST each pushed update as JSON, retried with backoff, never blocking a reconciliation.',
          }),
        slack: z
          .strictObject({
            webhookUrlEnv: envName('Environment variable holding the Slack incoming-webhook URL (a secret).'),
            timeout: duration.optional().meta({ description: 'Per attempt; default 10s.' }),
          })
          .optional()
          .meta({ description: 'A Slack message per pushed update and revert.' }),
      })
      .optional()
      .meta({ description: 'Tell others about pushed updates.' }),
  })
  .meta({ description: 'drawbridge.yaml: images to watch, environments to update, and how.' });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type GitConfig = Config['git'];
export type RepositoryEntry = z.output<typeof repositorySchema>;
export type AwsConfig = Config['aws'];
export type ImageConfig = z.output<typeof imageSchema>;
export type RegistryConfig = z.output<typeof registrySchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ForgeConfig = z.output<typeof forgeSchema>;
export type PullRequestConfig = z.output<typeof pullRequestSchema>;
/** Durations (`promote.after`, `minAge`) are milliseconds here. */
export type Policy = z.output<typeof policySchema>;
