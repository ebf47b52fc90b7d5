import {
  CodeCommitClient,
  CreatePullRequestApprovalRuleCommand,
  CreatePullRequestCommand,
  EvaluatePullRequestApprovalRulesCommand,
  GetCommitCommand,
  GetPullRequestCommand,
  ListPullRequestsCommand,
  MergePullRequestByFastForwardCommand,
  MergePullRequestBySquashCommand,
  MergePullRequestByThreeWayCommand,
  PostCommentForPullRequestCommand,
  UpdatePullRequestApprovalStateCommand,
  UpdatePullRequestDescriptionCommand,
  UpdatePullRequestStatusCommand,
  UpdatePullRequestTitleCommand,
} from '@aws-sdk/client-codecommit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { createTestRemote, type TestRemote } from '../helpers/git.js';

const MESSAGE =
  'chore(prod): update api to 1.2.4\n\nDrawbridge-Environment: prod\nDrawbridge-Update: api 1.2.3 -> 1.2.4\n';

let emulator: Emulator;
let author: CodeCommitClient;
let reviewer: CodeCommitClient;
let remote: TestRemote;
let repo: string;
let count = 0;

const clientAs = (accessKeyId: string) =>
  new CodeCommitClient({
    region: emulator.region,
    endpoint: emulator.endpoint,
    credentials: { accessKeyId, secretAccessKey: 'secret' },
    maxAttempts: 1,
  });

beforeAll(async () => {
  emulator = await startEmulator();
  author = clientAs('AKIDAUTHOR');
  reviewer = clientAs('AKIDREVIEWER');
});
afterAll(async () => {
  author.destroy();
  reviewer.destroy();
  await emulator.close();
});
beforeEach(async () => {
  count += 1;
  repo = `fleet-${count}`;
  remote = await createTestRemote({ main: { 'app.yaml': 'image: api:1.2.3\n' } });
  emulator.codecommit.addRepository(repo, remote.bare);
});
afterEach(async () => {
  emulator.faults.clear();
  await remote.cleanup();
});

async function openPullRequest(
  source = 'drawbridge/prod',
  message = MESSAGE,
  content = 'image: api:1.2.4\n',
) {
  await remote.commit(source, { 'app.yaml': content }, { from: 'main', message });
  const out = await author.send(
    new CreatePullRequestCommand({
      title: 'Update api',
      description: 'one image',
      targets: [{ repositoryName: repo, sourceReference: source, destinationReference: 'main' }],
    }),
  );
  return out.pullRequest!;
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as { name: string; message: string },
  );

describe('CodeCommit emulator: pull requests', () => {
  it('answers CreatePullRequest and GetPullRequest as CodeCommit does', async () => {
    const created = await openPullRequest();
    const target = created.pullRequestTargets?.[0];
    expect(created.pullRequestId).toMatch(/^\d+$/);
    expect(created.pullRequestStatus).toBe('OPEN');
    expect(created.authorArn).toBe(`arn:aws:iam::${emulator.accountId}:user/AKIDAUTHOR`);
    expect(target).toMatchObject({
      repositoryName: repo,
      sourceReference: 'refs/heads/drawbridge/prod',
      destinationReference: 'refs/heads/main',
      sourceCommit: await remote.head('drawbridge/prod'),
      destinationCommit: await remote.head('main'),
      mergeBase: await remote.head('main'),
      mergeMetadata: { isMerged: false },
    });
    expect(created.lastActivityDate).toBeInstanceOf(Date);
    expect(created.revisionId).toMatch(/^[0-9a-f]{64}$/);
    const got = await author.send(new GetPullRequestCommand({ pullRequestId: created.pullRequestId }));
    expect(got.pullRequest).toEqual(created);
  });

  it('answers the same pull request for a repeated client request token', async () => {
    await remote.commit('feature', { a: '1' }, { from: 'main' });
    const input = {
      title: 't',
      clientRequestToken: `token-${count}`,
      targets: [{ repositoryName: repo, sourceReference: 'refs/heads/feature' }],
    };
    const first = await author.send(new CreatePullRequestCommand(input));
    const second = await author.send(new CreatePullRequestCommand(input));
    expect(second.pullRequest?.pullRequestId).toBe(first.pullRequest?.pullRequestId);
    expect(first.pullRequest?.pullRequestTargets?.[0]?.destinationReference).toBe('refs/heads/main');
    const changed = errorOf(author.send(new CreatePullRequestCommand({ ...input, title: 'other' })));
    expect((await changed).name).toBe('IdempotencyParameterMismatchException');
  });

  it.each([
    ['RepositoryDoesNotExistException', { repositoryName: 'nope', sourceReference: 'feature' }, 't'],
    ['ReferenceDoesNotExistException', { repositoryName: '', sourceReference: 'missing' }, 't'],
    ['SourceAndDestinationAreSameException', { repositoryName: '', sourceReference: 'main' }, 't'],
    ['ReferenceTypeNotSupportedException', { repositoryName: '', sourceReference: 'refs/tags/v1' }, 't'],
    ['InvalidTitleException', { repositoryName: '', sourceReference: 'feature' }, 'x'.repeat(151)],
  ])('refuses a bad CreatePullRequest with %s', async (type, target, title) => {
    await remote.commit('feature', { a: '1' }, { from: 'main' });
    const error = await errorOf(
      author.send(
        new CreatePullRequestCommand({
          title,
          targets: [
            { ...target, repositoryName: target.repositoryName || repo, destinationReference: 'main' },
          ],
        }),
      ),
    );
    expect(error.name).toBe(type);
  });

  it('refuses unknown and malformed pull request ids', async () => {
    expect((await errorOf(author.send(new GetPullRequestCommand({ pullRequestId: '999999' })))).name).toBe(
      'PullRequestDoesNotExistException',
    );
    expect((await errorOf(author.send(new GetPullRequestCommand({ pullRequestId: 'x1' })))).name).toBe(
      'InvalidPullRequestIdException',
    );
  });

  it('pages ListPullRequests with maxResults and nextToken, newest first, by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await openPullRequest(`update/${i}`)).pullRequestId!);
    await emulator.codecommit.close(repo, ids[1]!);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await author.send(
        new ListPullRequestsCommand({
          repositoryName: repo,
          pullRequestStatus: 'OPEN',
          maxResults: 2,
          nextToken,
        }),
      );
      expect(page.pullRequestIds!.length).toBeLessThanOrEqual(2);
      seen.push(...page.pullRequestIds!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual([ids[4], ids[3], ids[2], ids[0]]);
    const closed = await author.send(
      new ListPullRequestsCommand({ repositoryName: repo, pullRequestStatus: 'CLOSED' }),
    );
    expect(closed.pullRequestIds).toEqual([ids[1]]);
    const bad = errorOf(
      author.send(new ListPullRequestsCommand({ repositoryName: repo, nextToken: 'forged' })),
    );
    expect((await bad).name).toBe('InvalidContinuationTokenException');
  });

  it('updates the title and description, closes, and then refuses edits', async () => {
    const { pullRequestId } = await openPullRequest();
    await author.send(new UpdatePullRequestTitleCommand({ pullRequestId, title: 'New title' }));
    const described = await author.send(
      new UpdatePullRequestDescriptionCommand({ pullRequestId, description: 'New body' }),
    );
    expect(described.pullRequest).toMatchObject({ title: 'New title', description: 'New body' });
    const closed = await author.send(
      new UpdatePullRequestStatusCommand({ pullRequestId, pullRequestStatus: 'CLOSED' }),
    );
    expect(closed.pullRequest?.pullRequestStatus).toBe('CLOSED');
    expect(closed.pullRequest?.pullRequestTargets?.[0]?.mergeMetadata?.isMerged).toBe(false);
    const edit = errorOf(author.send(new UpdatePullRequestTitleCommand({ pullRequestId, title: 'again' })));
    expect((await edit).name).toBe('PullRequestAlreadyClosedException');
    const reopen = errorOf(
      author.send(new UpdatePullRequestStatusCommand({ pullRequestId, pullRequestStatus: 'OPEN' })),
    );
    expect((await reopen).name).toBe('InvalidPullRequestStatusUpdateException');
  });

  it('keeps comments on a pair of commits', async () => {
    const created = await openPullRequest();
    const target = created.pullRequestTargets![0]!;
    const posted = await author.send(
      new PostCommentForPullRequestCommand({
        pullRequestId: created.pullRequestId,
        repositoryName: repo,
        beforeCommitId: target.destinationCommit,
        afterCommitId: target.sourceCommit,
        content: 'Nothing is pending any more.',
      }),
    );
    expect(posted.comment?.content).toBe('Nothing is pending any more.');
    const [view] = await emulator.codecommit.pullRequests(repo);
    expect(view?.comments).toEqual([
      {
        content: 'Nothing is pending any more.',
        authorArn: `arn:aws:iam::${emulator.accountId}:user/AKIDAUTHOR`,
      },
    ]);
    const same = errorOf(
      author.send(
        new PostCommentForPullRequestCommand({
          pullRequestId: created.pullRequestId,
          repositoryName: repo,
          beforeCommitId: target.sourceCommit,
          afterCommitId: target.sourceCommit,
          content: 'x',
        }),
      ),
    );
    expect((await same).name).toBe('BeforeCommitIdAndAfterCommitIdAreSameException');
  });

  it('answers GetCommit with the exact message', async () => {
    await openPullRequest();
    const sha = (await remote.head('drawbridge/prod'))!;
    const out = await author.send(new GetCommitCommand({ repositoryName: repo, commitId: sha }));
    expect(out.commit).toMatchObject({
      commitId: sha,
      message: MESSAGE,
      parents: [await remote.head('main')],
    });
    expect(out.commit?.author?.date).toMatch(/^\d+ [+-]\d{4}$/);
    const missing = errorOf(
      author.send(new GetCommitCommand({ repositoryName: repo, commitId: 'f'.repeat(40) })),
    );
    expect((await missing).name).toBe('CommitIdDoesNotExistException');
  });

  it('answers AccessDeniedException naming the IAM action when access is denied', async () => {
    emulator.codecommit.denyAccess(repo, 'CreatePullRequest');
    const error = await errorOf(openPullRequest());
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('codecommit:CreatePullRequest');
    expect(error.message).toContain(`arn:aws:codecommit:${emulator.region}:${emulator.accountId}:${repo}`);
    emulator.codecommit.allowAccess(repo);
    await openPullRequest('other');
  });

  it('answers the fields a test tampered with', async () => {
    const { pullRequestId } = await openPullRequest();
    await emulator.codecommit.tamper(repo, pullRequestId!, {
      target: { sourceReference: 'refs/heads/a\nb' },
    });
    const got = await author.send(new GetPullRequestCommand({ pullRequestId }));
    expect(got.pullRequest?.pullRequestTargets?.[0]?.sourceReference).toBe('refs/heads/a\nb');
  });
});

describe('CodeCommit emulator: approval rules', () => {
  it('evaluates rules per revision: approvals by others count, a push starts a new revision', async () => {
    emulator.codecommit.requireApprovals(repo, 1);
    const created = await openPullRequest();
    const { pullRequestId, revisionId } = created;
    expect(created.approvalRules?.[0]?.originApprovalRuleTemplate?.approvalRuleTemplateName).toBe(
      '1-approval-rule',
    );
    const before = await author.send(
      new EvaluatePullRequestApprovalRulesCommand({ pullRequestId, revisionId }),
    );
    expect(before.evaluation).toMatchObject({
      approved: false,
      approvalRulesNotSatisfied: ['1-approval-rule'],
    });

    const own = errorOf(
      author.send(
        new UpdatePullRequestApprovalStateCommand({ pullRequestId, revisionId, approvalState: 'APPROVE' }),
      ),
    );
    expect((await own).name).toBe('PullRequestCannotBeApprovedByAuthorException');
    await reviewer.send(
      new UpdatePullRequestApprovalStateCommand({ pullRequestId, revisionId, approvalState: 'APPROVE' }),
    );
    const after = await author.send(
      new EvaluatePullRequestApprovalRulesCommand({ pullRequestId, revisionId }),
    );
    expect(after.evaluation).toMatchObject({ approved: true, approvalRulesSatisfied: ['1-approval-rule'] });

    await remote.commit('drawbridge/prod', { 'app.yaml': 'image: api:1.2.5\n' });
    const pushed = await author.send(new GetPullRequestCommand({ pullRequestId }));
    expect(pushed.pullRequest?.revisionId).not.toBe(revisionId);
    expect(pushed.pullRequest?.pullRequestTargets?.[0]?.sourceCommit).toBe(
      await remote.head('drawbridge/prod'),
    );
    const stale = errorOf(
      author.send(new EvaluatePullRequestApprovalRulesCommand({ pullRequestId, revisionId })),
    );
    expect((await stale).name).toBe('RevisionNotCurrentException');
    const fresh = await author.send(
      new EvaluatePullRequestApprovalRulesCommand({
        pullRequestId,
        revisionId: pushed.pullRequest?.revisionId,
      }),
    );
    expect(fresh.evaluation?.approved).toBe(false);
  });

  it('creates a pull request rule from its content and counts only its pool', async () => {
    const { pullRequestId, revisionId } = await openPullRequest();
    const content = JSON.stringify({
      Version: '2018-11-08',
      Statements: [
        {
          Type: 'Approvers',
          NumberOfApprovalsNeeded: 1,
          ApprovalPoolMembers: [`CodeCommitApprovers:${emulator.accountId}:lead`],
        },
      ],
    });
    const rule = await author.send(
      new CreatePullRequestApprovalRuleCommand({
        pullRequestId,
        approvalRuleName: 'lead',
        approvalRuleContent: content,
      }),
    );
    expect(rule.approvalRule).toMatchObject({ approvalRuleName: 'lead', approvalRuleContent: content });
    await emulator.codecommit.approve(repo, pullRequestId!, 'someone');
    const outside = await author.send(
      new EvaluatePullRequestApprovalRulesCommand({ pullRequestId, revisionId }),
    );
    expect(outside.evaluation?.approved).toBe(false);
    await emulator.codecommit.approve(repo, pullRequestId!, 'lead');
    const inside = await author.send(
      new EvaluatePullRequestApprovalRulesCommand({ pullRequestId, revisionId }),
    );
    expect(inside.evaluation?.approved).toBe(true);
    const invalid = errorOf(
      author.send(
        new CreatePullRequestApprovalRuleCommand({
          pullRequestId,
          approvalRuleName: 'bad',
          approvalRuleContent: '{}',
        }),
      ),
    );
    expect((await invalid).name).toBe('InvalidApprovalRuleContentException');
  });
});

describe('CodeCommit emulator: merges', () => {
  const merge = {
    squash: MergePullRequestBySquashCommand,
    threeWay: MergePullRequestByThreeWayCommand,
    fastForward: MergePullRequestByFastForwardCommand,
  };

  it('refuses to merge before the approval rules are satisfied', async () => {
    emulator.codecommit.requireApprovals(repo, 1);
    const { pullRequestId } = await openPullRequest();
    const error = await errorOf(author.send(new merge.squash({ pullRequestId, repositoryName: repo })));
    expect(error.name).toBe('PullRequestApprovalRulesNotSatisfiedException');
    expect(await remote.head('main')).not.toBe(await remote.head('drawbridge/prod'));
  });

  it('squashes into one commit with the squashed message, and closes it as merged', async () => {
    const { pullRequestId } = await openPullRequest();
    const base = await remote.head('main');
    const out = await author.send(new merge.squash({ pullRequestId, repositoryName: repo }));
    const [head] = await remote.log('main');
    expect(head?.message).toBe(MESSAGE);
    expect(head?.parents).toEqual([base]);
    expect(await remote.readFile('main', 'app.yaml')).toBe('image: api:1.2.4\n');
    expect(out.pullRequest?.pullRequestStatus).toBe('CLOSED');
    expect(out.pullRequest?.pullRequestTargets?.[0]?.mergeMetadata).toMatchObject({
      isMerged: true,
      mergeOption: 'SQUASH_MERGE',
      mergeCommitId: head?.sha,
    });
  });

  it('makes a three-way merge commit with the given message', async () => {
    const { pullRequestId } = await openPullRequest();
    const source = await remote.head('drawbridge/prod');
    await author.send(
      new merge.threeWay({ pullRequestId, repositoryName: repo, commitMessage: 'Merge update\n' }),
    );
    const log = await remote.log('main');
    expect(log[0]?.message).toBe('Merge update\n');
    expect(log[0]?.parents[1]).toBe(source);
    expect(log.find((entry) => entry.sha === source)?.message).toBe(MESSAGE);
  });

  it('fast-forwards when it can and answers ManualMergeRequiredException when it cannot', async () => {
    const first = await openPullRequest('one');
    const second = await openPullRequest('two', MESSAGE, 'image: api:9.9.9\n');
    await author.send(new merge.fastForward({ pullRequestId: first.pullRequestId, repositoryName: repo }));
    expect(await remote.head('main')).toBe(await remote.head('one'));
    const error = await errorOf(
      author.send(new merge.fastForward({ pullRequestId: second.pullRequestId, repositoryName: repo })),
    );
    expect(error.name).toBe('ManualMergeRequiredException');
    const conflict = await errorOf(
      author.send(new merge.squash({ pullRequestId: second.pullRequestId, repositoryName: repo })),
    );
    expect(conflict.name).toBe('ManualMergeRequiredException');
  });

  it('refuses a merge of a source commit that is no longer the tip', async () => {
    const { pullRequestId, pullRequestTargets } = await openPullRequest();
    await remote.commit('drawbridge/prod', { other: 'x' });
    const error = await errorOf(
      author.send(
        new merge.squash({
          pullRequestId,
          repositoryName: repo,
          sourceCommitId: pullRequestTargets?.[0]?.sourceCommit,
        }),
      ),
    );
    expect(error.name).toBe('TipOfSourceReferenceIsDifferentException');
  });

  it('lets a test merge as a person in the console', async () => {
    const { pullRequestId } = await openPullRequest();
    emulator.codecommit.requireApprovals(repo, 2);
    const sha = await emulator.codecommit.merge(repo, pullRequestId!, 'squash');
    expect(await remote.head('main')).toBe(sha);
    const [view] = await emulator.codecommit.pullRequests(repo);
    expect(view).toMatchObject({
      status: 'CLOSED',
      merged: true,
      mergeOption: 'SQUASH_MERGE',
      mergeCommitId: sha,
    });
  });
});
