/** One image's change in one environment: from `old` to `new` (at `digest`). */
export interface ImageChange {
  readonly environment: string;
  readonly image: string;
  readonly repository: string;
  readonly old: string;
  readonly new: string;
  readonly digest: string;
}

/** One image update that reached the remote, as announced to the outside world. */
export interface PushedUpdate extends ImageChange {
  readonly commit: string;
  /** The branch pushed to (the environment's, or `push.branch`). */
  readonly branch: string;
  /** The Git remote without credentials. */
  readonly remote: string;
  readonly pushedAt: Date;
  /** The pull request that carries it, when the environment has `push.pullRequest`. */
  readonly pullRequest?: { readonly number: number; readonly url: string };
}

/** drawbridge's revert of its own commit whose deployment failed, as announced (onFailure.revert). */
export interface PushedRevert {
  readonly environment: string;
  /** The commit reverted. */
  readonly commit: string;
  /** The revert commit pushed. */
  readonly revert: string;
  /** The status context that reported the failure, and when. */
  readonly context: string;
  readonly failedAt: Date;
  /** The images (and tags) the reverted commit brought. */
  readonly images: readonly { readonly image: string; readonly tag: string }[];
  readonly branch: string;
  /** The Git remote without credentials. */
  readonly remote: string;
  readonly pushedAt: Date;
}

/** Announces pushed updates. Never blocks the reconciliation and never throws. */
export interface Notifier {
  notify(updates: readonly PushedUpdate[]): void;
  /** Announces pushed reverts (a notifier that announces none may leave it out). */
  notifyReverts?(reverts: readonly PushedRevert[]): void;
  /** Waits for the announcements in flight (on shutdown). */
  flush(): Promise<void>;
}
