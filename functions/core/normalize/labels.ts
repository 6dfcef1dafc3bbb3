/**
 * The label prefix reserved for Riposte's own ratings of an event (`signal:world-open-ingress`,
 * `signal:root-sign-in`…). Playbook triggers can select on these labels (`labels`), so only
 * Riposte's normalizers may set them: a producer whose OCSF is kept as received (Security Hub
 * V2 findings, `riposte.custom`) loses any label with this prefix.
 */
export const SIGNAL_PREFIX = 'signal:';

/**
 * A producer's labels without the ones reserved for Riposte's signals.
 *
 * @example
 * withoutSignals(['pci', 'signal:root-sign-in']); // ['pci']
 */
export function withoutSignals(labels: readonly string[] | undefined): string[] | undefined {
  if (labels === undefined) return undefined;
  return labels.filter((label) => !label.trim().toLowerCase().startsWith(SIGNAL_PREFIX));
}
