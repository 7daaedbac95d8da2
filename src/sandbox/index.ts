export * from './types';
export { DockerSandbox, LABEL, WORKER_LABEL, HOST_LABEL } from './dockerSandbox';
export { BubblewrapSandbox, type BubblewrapOptions } from './bubblewrapSandbox';
export { ensureSandboxImage, IMAGE_REPO } from './image';
export { ensureRootfs, AGENT_UID, AGENT_GID } from './rootfs';
export { WORK_DIR, SOCKET_DIR, LLM_SOCKET_NAME, AGENT_HOME, SANDBOX_NODE, SANDBOX_ENV } from './paths';
export { sweepLeftovers, sweepDocker, sweepBubblewrap, type SweepOptions, type SweepReport } from './janitor';
export { currentWorker, workerAlive } from './owner';
