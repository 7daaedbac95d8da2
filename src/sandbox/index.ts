export * from './types';
export { DockerSandbox, LABEL } from './dockerSandbox';
export { BubblewrapSandbox } from './bubblewrapSandbox';
export { ensureSandboxImage, IMAGE_REPO } from './image';
export { ensureRootfs, AGENT_UID, AGENT_GID, WORK_DIR } from './rootfs';
