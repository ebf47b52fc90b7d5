/**
 * What the emulated EventBridge does with a matching event per target kind: an SQS queue gets
 * the body as a message (synchronously, so a test can receive it right after PutEvents); an
 * API destination gets an HTTP request with its connection's auth, as EventBridge would send
 * it to drawbridge's events endpoint. HTTP answers are recorded in `httpResults`.
 */
import type { Delivery, EventBridgeStore } from './eventbridge.js';
import type { SqsStore } from './sqs.js';

export interface HttpResult {
  readonly delivery: Delivery;
  readonly url: string;
  readonly status?: number;
  readonly error?: string;
}

export function deliverToTargets(events: EventBridgeStore, sqs: SqsStore): (delivery: Delivery) => void {
  return (delivery) => {
    const arn = delivery.target.Arn;
    const service = arn.split(':')[2];
    if (service === 'sqs') {
      sqs.send(sqs.queue(arn.split(':').at(-1) ?? ''), delivery.body);
      return;
    }
    if (service === 'events' && arn.includes(':api-destination/')) {
      const request = invoke(events, delivery).then((result) => {
        events.httpResults.push(result);
      });
      events.inFlight.add(request);
      void request.finally(() => events.inFlight.delete(request));
      return;
    }
    throw new Error(`the emulator does not deliver to ${arn}`);
  };
}

async function invoke(events: EventBridgeStore, delivery: Delivery): Promise<HttpResult> {
  const destination = [...events.destinations.apiDestinations.values()].find(
    (candidate) => candidate.arn === delivery.target.Arn,
  );
  if (!destination) return { delivery, url: '', error: `no API destination ${delivery.target.Arn}` };
  const connection = [...events.destinations.connections.values()].find(
    (candidate) => candidate.arn === destination.connectionArn,
  );
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Amazon/EventBridge/ApiDestinations',
    ...authHeaders(connection?.authorizationType, connection?.authParameters ?? {}),
  };
  const url = destination.invocationEndpoint;
  try {
    // EventBridge gives an API destination 5 seconds to answer.
    const response = await fetch(url, {
      method: destination.httpMethod,
      headers,
      body: delivery.body,
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    return { delivery, url, status: response.status };
  } catch (error) {
    return { delivery, url, error: error instanceof Error ? error.message : String(error) };
  }
}

function authHeaders(type: string | undefined, parameters: Record<string, unknown>): Record<string, string> {
  if (type === 'API_KEY') {
    const api = parameters['ApiKeyAuthParameters'] as
      { ApiKeyName?: string; ApiKeyValue?: string } | undefined;
    return api?.ApiKeyName ? { [api.ApiKeyName.toLowerCase()]: api.ApiKeyValue ?? '' } : {};
  }
  if (type === 'BASIC') {
    const basic = parameters['BasicAuthParameters'] as { Username?: string; Password?: string } | undefined;
    const token = Buffer.from(`${basic?.Username ?? ''}:${basic?.Password ?? ''}`).toString('base64');
    return { authorization: `Basic ${token}` };
  }
  return {};
}
