/** The control loop: informers into a cluster view, a debounced single-flight pass, fenced writes. */
export { SchedulerController, type ControllerOptions, type ControllerDeps } from './controller.js';
