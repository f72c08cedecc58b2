/**
 * OpenTelemetry traces of the worker: a migration is one trace, its workflow run a `RunWorkflow:dcsMigration`
 * span, each activity a `StartActivity` span (scheduled in the workflow) over a `RunActivity` span (run on the
 * worker), and each DCS HTTP request a `DCS <Operation>` span under it (`dcs/request/trace.ts`).
 *
 * On only when asked: an OTLP/HTTP endpoint in the standard environment (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`; `OTEL_EXPORTER_OTLP_HEADERS` etc. as the exporter reads them), or
 * a span processor given in code (tests). Off, nothing is registered: the DCS client's tracer stays the API's
 * no-op, the workflow bundle carries no interceptors, and this module (the SDK's weight) is not even loaded: the
 * worker imports it only when `tracing-endpoint.ts` finds an endpoint.
 *
 * Temporal's interceptors do the Temporal side (`@temporalio/interceptors-opentelemetry`): in the workflow
 * sandbox they create spans and hand them to the worker through a sink; on the worker they continue the trace
 * from the activity's headers. A prebuilt workflow bundle has no place for the workflow interceptors (they are
 * compiled into the bundle), so such a worker traces activities and DCS calls only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { otlpTracesEndpoint } from './tracing-endpoint.js';

/** Where the spans go and who sends them. */
export interface WorkerTracing {
  readonly spanProcessor: SpanProcessor;
  readonly resource: Resource;
  /** For the startup log: where the spans go. */
  readonly destination: string;
  /** Sends the spans still buffered and stops the processor. */
  shutdown(): Promise<void>;
}

/** The service name on every span when `OTEL_SERVICE_NAME` does not set one. */
export const DEFAULT_SERVICE_NAME = 'dcs-migrate-worker';

/** Tracing as the environment asks for it (OTLP/HTTP, batched), or undefined when it asks for none. */
export function tracingFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): WorkerTracing | undefined {
  const endpoint = otlpTracesEndpoint(env);
  if (endpoint === undefined) return undefined;
  return startTracing(otlpSpanProcessor(endpoint), { serviceName: env['OTEL_SERVICE_NAME'], destination: endpoint });
}

/** Batched OTLP/HTTP (JSON) export to `endpoint`; headers, timeout and compression from the standard environment. */
export function otlpSpanProcessor(endpoint: string): SpanProcessor {
  return new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }));
}

let provider: BasicTracerProvider | undefined;

/**
 * Registers the process's tracer provider (once; later calls add their processor to it) with a context manager,
 * so spans started inside an activity (the DCS client's) find the activity's span as their parent, and the W3C
 * propagator the interceptors carry the trace through Temporal headers with.
 */
export function startTracing(
  processors: SpanProcessor | SpanProcessor[],
  options: { serviceName?: string | undefined; destination?: string } = {},
): WorkerTracing {
  // The workflow span sink takes one processor: several are fanned out behind one.
  const spanProcessor = Array.isArray(processors) ? new FanOutSpanProcessor(processors) : processors;
  const resource = new Resource({ 'service.name': options.serviceName?.trim() || DEFAULT_SERVICE_NAME });
  if (provider) {
    provider.addSpanProcessor(spanProcessor);
  } else {
    provider = new BasicTracerProvider({ resource });
    provider.addSpanProcessor(spanProcessor);
    provider.register({ contextManager: new AsyncLocalContextManager() });
  }
  return {
    spanProcessor,
    resource,
    destination: options.destination ?? 'in process',
    shutdown: () => spanProcessor.shutdown(),
  };
}

const require = createRequire(import.meta.url);
/** The workflow interceptors, as a module the bundler compiles into the workflow code. */
export const WORKFLOW_TRACING_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/**
 * The worker options tracing adds (interceptors, the workflow span sink), merged with what `options` already has;
 * nothing when `tracing` is undefined. Spread last into the worker's options.
 */
export function tracingOptions(
  options: Pick<WorkerOptions, 'interceptors' | 'sinks' | 'workflowBundle'>,
  tracing: WorkerTracing | undefined,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) return {};
  const interceptors = options.interceptors ?? {};
  return {
    interceptors: {
      ...interceptors,
      // A prebuilt bundle has its interceptors compiled in; the worker would only warn that it ignores these.
      ...(options.workflowBundle
        ? {}
        : { workflowModules: [...(interceptors.workflowModules ?? []), WORKFLOW_TRACING_MODULE] }),
      activity: [
        ...(interceptors.activity ?? []),
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { ...options.sinks, exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}

/** Hands every span to each of several processors (a tee: to memory and OTLP at once). */
class FanOutSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.processors) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.processors) processor.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.shutdown()));
  }
}

/** The active context per async call chain (what @opentelemetry/context-async-hooks does, in a few lines). */
class AsyncLocalContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(context, () => fn.apply(thisArg, args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const storage = this.#storage;
    return function (this: unknown, ...args: unknown[]) {
      return storage.run(context, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#storage.disable();
    return this;
  }
}
