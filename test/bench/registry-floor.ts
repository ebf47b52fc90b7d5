/**
 * The floor under registry.bench.ts: the same DescribeImages pages fetched over the same kind
 * of keep-alive HTTP connections and JSON.parse'd, with no SDK (no signing, no middleware, no
 * schema walk, no retries) and nothing kept. No client can read the pages for less.
 */
import { Agent, request } from 'node:http';

export interface FloorResult {
  readonly pages: number;
  readonly bytes: number;
}

const TARGET = 'AmazonEC2ContainerRegistry_V20150921.DescribeImages';

/** Reads every repository to its last page, `concurrency` repositories at once. */
export async function readRaw(
  endpoint: string,
  repositories: readonly string[],
  concurrency: number,
): Promise<FloorResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let pages = 0;
  let bytes = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < repositories.length) {
      const repositoryName = repositories[next] ?? '';
      next += 1;
      let nextToken: string | undefined;
      do {
        const body = JSON.stringify({
          repositoryName,
          filter: { tagStatus: 'TAGGED' },
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        });
        const raw = await post(agent, endpoint, body);
        bytes += raw.byteLength;
        pages += 1;
        const page = JSON.parse(raw.toString('utf8')) as { nextToken?: string };
        nextToken = page.nextToken;
      } while (nextToken);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { pages, bytes };
}

function post(agent: Agent, endpoint: string, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(
      endpoint,
      {
        method: 'POST',
        agent,
        headers: { 'x-amz-target': TARGET, 'content-type': 'application/x-amz-json-1.1' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`DescribeImages answered ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
