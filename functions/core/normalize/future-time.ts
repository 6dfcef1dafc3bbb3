import type { Alert } from '../alert.ts';

/** How far past the reference time a finding time may be before it counts as in the future. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The label an alert carries when one of its times was clamped. */
export const FUTURE_TIME_LABEL = 'future-time-clamped';

const FINDING_TIMES = ['created_time', 'modified_time', 'first_seen_time', 'last_seen_time'] as const;

/**
 * Clamps the times of `alert` that lie in the future and labels it {@link FUTURE_TIME_LABEL}.
 *
 * A time more than {@link CLOCK_SKEW_MS} past the ingest clock `now` is in the future: it
 * becomes the event's envelope time when that is not in the future itself (a PutEvents caller
 * chooses the envelope time of its own events), else `now`. The threshold is the ingest clock,
 * not the envelope time, because published events carry envelope times as odd as 1970. Ingest
 * orders the updates of a finding by its modification time, so a finding dated 2099 would
 * otherwise stay the newest forever and freeze its alert.
 *
 * @param envelopeTime the envelope's `time` in epoch ms, when it has one
 * @param now the ingest clock in epoch ms
 *
 * @example
 * clampFutureTimes(alert, Date.parse(event.time), Date.now());
 * alert.ocsf.metadata.labels; // [..., 'future-time-clamped'] when UpdatedAt was 2099-01-01
 */
export function clampFutureTimes(alert: Alert, envelopeTime: number | undefined, now: number): void {
  const { ocsf } = alert;
  const limit = now + CLOCK_SKEW_MS;
  const reference = envelopeTime !== undefined && envelopeTime <= limit ? envelopeTime : now;
  let clamped = false;
  if (ocsf.time > limit) {
    ocsf.time = reference;
    clamped = true;
  }
  if (ocsf.metadata.logged_time !== undefined && ocsf.metadata.logged_time > limit) {
    ocsf.metadata.logged_time = now;
    clamped = true;
  }
  const info = ocsf.finding_info;
  if (info !== undefined) {
    for (const field of FINDING_TIMES) {
      const value = info[field];
      if (value !== undefined && value > limit) {
        info[field] = reference;
        clamped = true;
      }
    }
  }
  if (clamped) {
    ocsf.metadata.labels = [...new Set([...(ocsf.metadata.labels ?? []), FUTURE_TIME_LABEL])];
  }
}
