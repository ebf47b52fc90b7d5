/**
 * The emulator's people: GitLab addresses reviewers by numeric user id, so a forge turns the
 * usernames it is configured with into ids through `GET /users?username=`.
 */
export interface GitLabUser {
  readonly id: number;
  readonly username: string;
}

export class UserDirectory {
  private readonly byId = new Map<number, GitLabUser>();
  private nextId = 1;

  /** The user's id; adding a username twice (any case) answers the same user. */
  add(username: string): GitLabUser {
    const existing = this.find(username);
    if (existing) return existing;
    const user = { id: this.nextId++, username };
    this.byId.set(user.id, user);
    return user;
  }

  /** GitLab matches usernames case-insensitively. */
  find(username: string): GitLabUser | undefined {
    const wanted = username.toLowerCase();
    for (const user of this.byId.values()) if (user.username.toLowerCase() === wanted) return user;
    return undefined;
  }

  get(id: number): GitLabUser | undefined {
    return this.byId.get(id);
  }

  /** GitLab's basic user shape, as in `author`, `reviewers` and `GET /users`. */
  json(user: GitLabUser, webBase: string): Record<string, unknown> {
    return {
      id: user.id,
      username: user.username,
      name: user.username,
      state: 'active',
      locked: false,
      avatar_url: null,
      web_url: `${webBase}/${user.username}`,
    };
  }
}
