/**
 * The one schema of drawbridge.yaml: TypeScript types (z.output), validation (the loader)
 * and the published JSON Schema (`drawbridge schema`) all come from here.
 * Cross-field rules (unknown image keys, promotion cycles, branch overlaps, regex and range
 * validity) live in rules.ts, which reports them with file, line and column.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';

export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

const duration = z
  .string()
  .regex(DURATION_PATTERN, { message: 'expected a duration such as 90s, 15m, 24h or 7d' })
  .transform((text) => parseDuration(text) ?? 0)
  .meta({
    description: 'A duration: a number and a unit (ms, s, m, h, d, w), e.g. 90s, 15m, 24h, 7d, 1h30m.',
  });

const regexList = z
  .array(z.string())
  .meta({ description: 'Regular expressions (JavaScript syntax) matched against the tag.' });

export const authSchema = z.strictObject({
  sshKeyFile: z.string().optional().meta({ description: 'Private key for SSH remotes (a deploy key).' }),
  knownHostsFile: z
    .string()
    .optional()
    .meta({ description: 'known_hosts for SSH remotes; strict host checking uses it.' }),
  strictHostKeyChecking: z.boolean().default(true),
  tokenEnv: z
    .string()
    .optional()
    .meta({ description: 'Name of an environment variable holding an HTTPS token.' }),
  username: z
    .string()
    .default('x-access-token')
    .meta({ description: 'HTTPS user name sent with the token.' }),
});

export const signingSchema = z.strictObject({
  format: z.enum(['openpgp', 'ssh']),
  key: z.string().meta({ description: 'Key id (openpgp) or path to the public/private key (ssh).' }),
  program: z.string().optional().meta({ description: 'gpg or ssh-keygen program to use, if not on PATH.' }),
});

export const gitSchema = z.strictObject({
  url: z.string().min(1).meta({ description: 'Remote: ssh, https, file:// or a local path.' }),
  author: z.strictObject({ name: z.string().min(1), email: z.string().min(3) }).default({
    name: 'drawbridge',
    email: 'drawbridge@localhost',
  }),
  auth: authSchema.optional(),
  signing: signingSchema.optional(),
  messageTemplate: z.string().optional().meta({ description: 'Commit message template; see the README.' }),
  workdir: z
    .string()
    .optional()
    .meta({ description: 'Where clones live; default $DRAWBRIDGE_WORKDIR or the cache folder.' }),
  historyDepth: z
    .number()
    .int()
    .positive()
    .default(500)
    .meta({ description: 'Commits of history read per branch.' }),
  pushAttempts: z.number().int().min(1).max(20).default(5),
});

export const awsSchema = z.strictObject({
  region: z.string().optional(),
  endpoint: z.url().optional().meta({ description: 'ECR endpoint override (VPC endpoint, local emulator).' }),
  roleArn: z.string().optional().meta({ description: 'Role assumed via STS for every repository.' }),
  externalId: z.string().optional(),
  maxConcurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(8)
    .meta({ description: 'Repositories read at once.' }),
});

export const imageSchema = z.strictObject({
  repository: z
    .string()
    .meta({ description: 'ECR repository URI: <account>.dkr.ecr.<region>.amazonaws.com/<name>.' }),
  exclude: regexList.optional(),
  roleArn: z.string().optional(),
  region: z.string().optional(),
});

export const policySchema = z
  .strictObject({
    semver: z.string().optional().meta({ description: 'Highest version satisfying this node-semver range.' }),
    order: z.enum(['numerical', 'alphabetical']).optional(),
    direction: z
      .enum(['asc', 'desc'])
      .optional()
      .meta({ description: 'asc (default): pick the highest/last.' }),
    newest: z.literal('pushed').optional().meta({ description: 'Most recently pushed to ECR.' }),
    promote: z
      .strictObject({ from: z.string(), after: duration })
      .optional()
      .meta({ description: 'Newest tag live in environment `from` for at least `after`.' }),
    pattern: z.string().optional(),
    extract: z
      .string()
      .optional()
      .meta({ description: 'What to order by: $1, $name or ${name} from pattern.' }),
    exclude: regexList.optional(),
    minAge: duration.optional(),
    maxSeverity: z.enum(SEVERITIES).optional(),
    unscanned: z.enum(['skip', 'allow']).default('skip').meta({
      description: 'With maxSeverity: what to do with images whose scan is missing or incomplete.',
    }),
    digest: z.boolean().default(false).meta({ description: 'Write tag@sha256:… instead of the tag alone.' }),
  })
  .meta({
    description: 'Exactly one ordering: semver, order, newest or promote; modifiers combine with any.',
  });

export const environmentSchema = z.strictObject({
  branch: z.string().min(1),
  paths: z
    .array(z.string())
    .optional()
    .meta({ description: 'Folders (or files) to edit; default the whole branch.' }),
  push: z
    .strictObject({ branch: z.string().min(1) })
    .optional()
    .meta({
      description: 'Push to this branch instead (for a pull request).',
    }),
  policies: z.record(z.string(), policySchema),
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  git: gitSchema,
  aws: awsSchema.default({ maxConcurrency: 8 }),
  images: z.record(z.string(), imageSchema),
  environments: z.record(z.string(), environmentSchema),
  schedule: z
    .string()
    .default('*/5 * * * *')
    .meta({ description: 'node-cron expression for the full sweep.' }),
  server: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(8080),
      host: z.string().default('0.0.0.0'),
    })
    .default({ port: 8080, host: '0.0.0.0' }),
  events: z
    .strictObject({
      sqs: z
        .strictObject({
          queueUrl: z.url(),
          waitTimeSeconds: z.number().int().min(0).max(20).default(20),
          maxMessages: z.number().int().min(1).max(10).default(10),
        })
        .optional(),
      http: z
        .strictObject({
          path: z.string().startsWith('/').default('/events/ecr'),
          tokenEnv: z.string().optional(),
          header: z.string().default('x-drawbridge-token'),
          basicAuth: z.strictObject({ usernameEnv: z.string(), passwordEnv: z.string() }).optional(),
        })
        .optional(),
      coalesce: duration
        .optional()
        .meta({ description: 'Window in which events are merged; default 500ms.' }),
    })
    .optional(),
  notify: z
    .strictObject({
      eventBridge: z
        .strictObject({
          eventBusName: z.string().default('default'),
          source: z.string().default('drawbridge'),
          endpoint: z.url().optional(),
        })
        .optional(),
    })
    .optional(),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type GitConfig = Config['git'];
export type AwsConfig = Config['aws'];
export type ImageConfig = z.output<typeof imageSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
/** Durations (`promote.after`, `minAge`) are milliseconds here. */
export type Policy = z.output<typeof policySchema>;
