/** The benches render through the same headless renderer as the console (src/report/svg.ts). */
export { renderSvg } from '../src/report/svg';
