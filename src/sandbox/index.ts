export * from './types';
export { DockerSandbox, LABEL, WORKER_LABEL, HOST_LABEL } from './dockerSandbox';
export { BubblewrapSandbox } from './bubblewrapSandbox';
export { ensureSandboxImage, IMAGE_REPO } from './image';
export { ensureRootfs, AGENT_UID, AGENT_GID, WORK_DIR } from './rootfs';
export { sweepLeftovers, sweepDocker, sweepBubblewrap, type SweepOptions, type SweepReport } from './janitor';
export { currentWorker, workerAlive } from './owner';
