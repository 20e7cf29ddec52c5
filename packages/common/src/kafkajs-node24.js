// Plaza's workaround for a kafkajs 2.2.4 bug that Node 24 reports as
//   TimeoutNegativeWarning: -1795421526438 is a negative number.
// kafkajs' RequestQueue.scheduleCheckPendingRequests() computes `throttledUntil - Date.now()`,
// and while the broker has never throttled the client `throttledUntil` is -1, so the delay is
// minus the current time. Node has always treated a negative delay as 1 ms; Node 24 also warns
// (once per process). This replaces the method with the same logic and the delay clamped to
// 1 ms, which is exactly what Node did anyway. Every Kafka client of Plaza is created after
// this module is imported (packages/common/src/kafka.ts imports it; so do the infra readiness
// probe and the end-to-end tests' watcher). Remove it when kafkajs fixes the method upstream.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');

/** Same as kafkajs' CHECK_PENDING_REQUESTS_INTERVAL (ms). */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

if (!RequestQueue.prototype.__plazaNode24Patched) {
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests() {
    let scheduleAt = this.throttledUntil - Date.now();
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) {
        scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
      }
      this.throttleCheckTimeoutId = setTimeout(() => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      }, Math.max(scheduleAt, 1));
    }
  };
  Object.defineProperty(RequestQueue.prototype, '__plazaNode24Patched', { value: true });
}
