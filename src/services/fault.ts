/**
 * Pause points for the crash tests. When APPRAISAL_FAULT_PAUSE names a point, the
 * process announces it on stderr and waits there (inside its open transaction) to be
 * killed, so that a test can SIGKILL it at exactly that moment. Unset, they cost nothing.
 */
export async function faultPoint(name: string): Promise<void> {
  if (process.env.APPRAISAL_FAULT_PAUSE !== name) return;
  process.stderr.write(`FAULT-POINT ${name}\n`);
  await new Promise((resolve) => setTimeout(resolve, 120_000));
}
