import { Client, Connection } from '@temporalio/client';
import { temporalAddress, type Config } from '../src/config';

export async function connectClient(c: Config): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: temporalAddress(c), connectTimeout: 3000 });
  } catch {
    throw new Error(
      `cannot reach Temporal at ${temporalAddress(c)}: is the stack up? (\`hyperagents dev up\`)`,
    );
  }
  return new Client({ connection, namespace: c.temporal.namespace });
}

export function uiLink(c: Config, workflowId?: string): string {
  const base = `http://${c.host}:${c.temporal.uiPort}/namespaces/${c.temporal.namespace}/workflows`;
  return workflowId ? `${base}/${encodeURIComponent(workflowId)}` : base;
}
