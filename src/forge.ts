/**
 * The forge seam (SPEC §10): pull requests on the service that hosts a repository. One folder
 * per forge under forges/, registered by name in forges/index.ts; a new forge (Bitbucket,
 * Azure DevOps, Gitea/Forgejo) is one more folder and one line there.
 *
 * Everything a forge answers is outside data: implementations check the fields they read
 * (forge-checks.ts) before a value reaches a commit, a log or a pull request body.
 */
import type { Logger } from './log/logger.js';
import type { Redactor } from './log/redact.js';

/** The forges drawbridge speaks to; the config lists these when `forge.type` is unknown. */
export const FORGE_TYPES = ['github', 'gitlab', 'codecommit'] as const;
export type ForgeType = (typeof FORGE_TYPES)[number];

export const MERGE_METHODS = ['merge', 'squash', 'rebase'] as const;
export type MergeMethod = (typeof MERGE_METHODS)[number];

/** A pull request (GitHub), merge request (GitLab) or pull request (CodeCommit). */
export interface PullRequest {
  /** GitHub's number, GitLab's iid, CodeCommit's pull request id. */
  readonly number: number;
  /** Where a person opens it in a browser. */
  readonly url: string;
  readonly state: 'open' | 'closed' | 'merged';
  /** The source branch. */
  readonly head: string;
  /** The target branch. */
  readonly base: string;
  /** The source branch's commit the forge last saw. */
  readonly headSha: string;
  readonly title: string;
  readonly body: string;
  readonly updatedAt: Date;
}

export interface PullRequestContent {
  readonly title: string;
  readonly body: string;
}

export interface NewPullRequest extends PullRequestContent {
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
  readonly labels: readonly string[];
  /** User names. */
  readonly reviewers: readonly string[];
  /** Team slugs (GitHub); GitLab and CodeCommit have none and say so. */
  readonly teamReviewers: readonly string[];
}

/** What `autoMerge` did this pass. */
export type AutoMergeOutcome =
  | 'enabled' // the forge merges it once its checks and reviews pass (GitHub, GitLab)
  | 'merged' // drawbridge merged it: its approval rules were satisfied (CodeCommit)
  | 'waiting'; // drawbridge merges it on a later pass, once the rules are satisfied (CodeCommit)

export interface Forge {
  readonly type: ForgeType;
  /** The longest description the forge takes, in characters. */
  readonly maxBodyLength: number;
  /** Open pull requests into `base`, every page. */
  listOpen(base: string): Promise<PullRequest[]>;
  /** Closed and merged pull requests into `base`, most recently updated first, at most `limit`. */
  listClosed(base: string, limit: number): Promise<PullRequest[]>;
  /** Opens it, then sets labels and reviewers. */
  open(request: NewPullRequest): Promise<PullRequest>;
  update(pullRequest: PullRequest, content: PullRequestContent): Promise<PullRequest>;
  /** Comments, then closes it with `body` as its new description. */
  close(pullRequest: PullRequest, comment: string, body: string): Promise<void>;
  autoMerge(pullRequest: PullRequest, method: MergeMethod): Promise<AutoMergeOutcome>;
  /** The full message of a commit of the repository (a closed pull request's trailers). */
  commitMessage(sha: string): Promise<string>;
  /**
   * What deployments reported for a commit: the latest commit status (or check run) of each
   * context the forge holds for it. Absent on a forge without commit statuses (CodeCommit).
   */
  commitChecks?(sha: string): Promise<CommitCheck[]>;
}

/**
 * One context's latest report on a commit: Flux's notification-controller and Argo CD's
 * notifications post one per revision they apply (`kustomization/apps`, `argocd/prod`).
 */
export interface CommitCheck {
  readonly context: string;
  readonly state: CommitCheckState;
  /** When the report took this state. */
  readonly at: Date;
  /** Where a person reads more (the status's target URL), when the forge gave a web URL. */
  readonly url?: string;
}

export type CommitCheckState = 'success' | 'failure' | 'pending';

/** `forge:` of a repository, resolved: the type known, the repository path known. */
export interface ForgeSettings {
  readonly type: ForgeType;
  /** The API root; undefined: the public service's. */
  readonly apiUrl?: string;
  /** `acme/fleet` (GitHub), a project path (GitLab), a repository name (CodeCommit). */
  readonly repository: string;
  /** The environment variable holding the token (GitHub, GitLab). */
  readonly tokenEnv?: string;
  /** A GitHub App instead of a token. */
  readonly app?: {
    readonly appId: number;
    readonly privateKeyFile: string;
    readonly installationId: number;
  };
  /** GitHub: space writes as GitHub asks (default true; false for an emulator on loopback). */
  readonly paceWrites?: boolean;
  /** CodeCommit: the region the URL names. */
  readonly region?: string;
}

export interface ForgeOptions {
  readonly settings: ForgeSettings;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Tokens the forge obtains (installation tokens) are registered here before any use. */
  readonly redactor: Redactor;
  /** Where `app.privateKeyFile` resolves from (the config file's folder). */
  readonly baseDir: string;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** AWS endpoint override (CodeCommit in the emulator, a VPC endpoint). */
  readonly awsEndpoint?: string;
}

export type ForgeFactory = (options: ForgeOptions) => Forge;
