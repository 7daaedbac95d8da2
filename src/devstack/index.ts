export { up, down, status, StackError, type ServiceStatus } from './stack';
export { stateLayout } from './layout';
export { dockerClient } from './docker';
export { installTemporal, temporalBinary } from './temporal';
export { sandboxFor } from './sandboxFor';
