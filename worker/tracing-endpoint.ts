/**
 * Whether the worker exports traces, from the standard OpenTelemetry variables alone: light, so the worker can
 * decide before it loads the tracing SDK (`tracing.ts`).
 */

/** The endpoint traces are exported to, or undefined when the environment configures none (or turns them off). */
export function otlpTracesEndpoint(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (
    env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true' ||
    env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase() === 'none'
  )
    return undefined;
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}
