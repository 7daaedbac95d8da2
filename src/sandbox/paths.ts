/**
 * Where things are inside every sandbox session. The rootfs (and the Docker image made from it) is
 * built to this layout, and callers name these paths in commands and environments, so each one is
 * spelled here only.
 */

/** The program's private, size-capped working folder. */
export const WORK_DIR = '/work';
/** Where a host folder holding the LLM gateway's socket is mounted read-only. */
export const SOCKET_DIR = '/run/hyperagents';
/** The gateway's socket file inside SOCKET_DIR (and inside the host folder mounted there). */
export const LLM_SOCKET_NAME = 'llm.sock';
/** The agent user's home folder. */
export const AGENT_HOME = '/home/agent';
/** The host's node binary, copied into the rootfs. */
export const SANDBOX_NODE = '/usr/bin/node';
/** The complete environment of a program in the sandbox (nothing is inherited from the host). */
export const SANDBOX_ENV: Readonly<Record<string, string>> = Object.freeze({
  HOME: AGENT_HOME,
  PATH: '/usr/bin:/bin',
});
