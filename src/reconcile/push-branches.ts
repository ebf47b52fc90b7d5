/** The branches drawbridge pushes an environment's changes to (`push.branch`, maybe with `{image}`). */

/** Whether `head` is one of the environment's push branches (`{image}` stands for any image). */
export function ownsHead(pushBranch: string, head: string): boolean {
  if (!pushBranch.includes('{image}')) return head === pushBranch;
  const [before = '', ...rest] = pushBranch.split('{image}');
  const after = rest.join('{image}');
  if (rest.length > 1 || !head.startsWith(before) || !head.endsWith(after)) return false;
  return head.length > before.length + after.length;
}

/** The push branch of one image (`{image}` filled in), or the environment's one. */
export function imageBranch(pushBranch: string, imageKey: string): string {
  return pushBranch.replaceAll('{image}', imageKey);
}
