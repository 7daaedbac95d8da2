/**
 * The LLM session's engine: a function-calling loop. Each turn sends the conversation and the
 * tool schemas to the gateway (role 'meta'); tool calls are run with the harness's confined tools
 * and their results appended; a reply without tool calls ends the session. Turn and time limits
 * bound it. A failure of the very first call is thrown with `turns = 0` so the caller can fall
 * back to the offline analogue; a later failure ends the loop and is reported.
 * A copy of the seed's meta/tool_loop.mjs: a meta agent imports only from its own set.
 */

export const TOOL_SPECS = [
  {
    type: 'function',
    function: {
      name: 'bash',
      description:
        'Run a shell command (/bin/sh -c) in the program folder. No network. Paths outside the program folder are refused.',
      parameters: {
        type: 'object',
        properties: { command: { type: 'string', description: 'The command line.' } },
        required: ['command'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'editor',
      description:
        'View a file or folder, create/overwrite a file, or replace one exact occurrence of a string in a file. ' +
        'Paths are relative to the program folder.',
      parameters: {
        type: 'object',
        properties: {
          command: { type: 'string', enum: ['view', 'create', 'str_replace'] },
          path: { type: 'string' },
          file_text: { type: 'string', description: 'create: the whole new content.' },
          old_str: { type: 'string', description: 'str_replace: text that occurs exactly once.' },
          new_str: { type: 'string', description: 'str_replace: its replacement.' },
        },
        required: ['command', 'path'],
      },
    },
  },
];

const cap = (text, max) =>
  text.length > max ? `${text.slice(0, max)}\n[... ${text.length - max} characters cut]` : text;

/** Runs one tool call; never throws: a refusal or failure is the text the model gets back. */
export async function runToolCall(call, tools, edited) {
  let args;
  try {
    args = JSON.parse(call.function?.arguments || '{}');
  } catch {
    return 'error: the arguments are not valid JSON';
  }
  try {
    if (call.function?.name === 'bash') {
      const r = await tools.bash(String(args.command ?? ''));
      const status = r.timedOut ? 'timed out' : `exit code ${r.exitCode}`;
      return `${status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
    }
    if (call.function?.name === 'editor') {
      const p = String(args.path ?? '');
      if (args.command === 'view') return await tools.view(p);
      if (args.command === 'create') {
        const out = await tools.create(p, String(args.file_text ?? ''));
        edited.add(p);
        return out;
      }
      if (args.command === 'str_replace') {
        const out = await tools.strReplace(p, String(args.old_str ?? ''), String(args.new_str ?? ''));
        edited.add(p);
        return out;
      }
      return `error: unknown editor command ${JSON.stringify(args.command)}`;
    }
    return `error: unknown tool ${JSON.stringify(call.function?.name)}`;
  } catch (error) {
    return `error: ${error?.message ?? error}`;
  }
}

export async function runToolLoop({
  llm,
  tools,
  messages,
  maxTurns,
  deadlineMs,
  temperature,
  maxToolOutputChars,
}) {
  const conversation = [...messages];
  const edited = new Set();
  let turns = 0;
  let toolCalls = 0;
  let final;
  let stop = 'turn limit';
  while (turns < maxTurns) {
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0) {
      stop = 'time limit';
      break;
    }
    let completion;
    try {
      completion = await llm.chat({
        role: 'meta',
        messages: conversation,
        tools: TOOL_SPECS,
        params: { temperature },
        timeoutMs: remaining,
      });
    } catch (error) {
      if (turns === 0) throw Object.assign(error, { turns: 0 });
      stop = `LLM call failed: ${error?.message ?? error}`;
      break;
    }
    turns++;
    const message = completion?.choices?.[0]?.message ?? {};
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    conversation.push({
      role: 'assistant',
      content: message.content ?? null,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    });
    if (calls.length === 0) {
      final = message.content ?? '';
      stop = 'finished';
      break;
    }
    for (const call of calls) {
      toolCalls++;
      const result = await runToolCall(call, tools, edited);
      conversation.push({
        role: 'tool',
        tool_call_id: call.id,
        content: cap(String(result), maxToolOutputChars),
      });
    }
  }
  return { turns, toolCalls, edited: [...edited], final, stop };
}
