/**
 * Where a run's spans go: to an OTLP/HTTP collector (JSON, through @effect/opentelemetry's OtlpTracer
 * over the platform's fetch client, no OpenTelemetry SDK) when the installation names an endpoint;
 * nowhere otherwise. The exporter lives as long as the run and sends what is left when it ends, so a
 * CLI process that exits right after the run loses no span.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import packageJson from "../package.json"
import type { FilonConfig } from "./Config.ts"

const TRACES_PATH = "/v1/traces"

/**
 * The URL spans are posted to, or undefined when tracing is off. As the OpenTelemetry exporters do:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; OTEL_EXPORTER_OTLP_ENDPOINT (else the config's
 * `tracing.otlp_endpoint`) is a base URL that gets `/v1/traces` appended.
 */
export const tracesUrlOf = (config: FilonConfig, env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (signal) return signal
  const base = (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || config.tracing.otlp_endpoint?.trim())?.replace(/\/+$/, "")
  if (!base) return undefined
  return base.endsWith(TRACES_PATH) ? base : `${base}${TRACES_PATH}`
}

/**
 * The tracer of one run: OTLP export when configured (service name: OTEL_SERVICE_NAME, else the
 * config's `tracing.service_name`), else nothing beyond Effect's own in-memory spans.
 */
export const tracingLayer = (config: FilonConfig, env: NodeJS.ProcessEnv = process.env): Layer.Layer<never> => {
  const url = tracesUrlOf(config, env)
  if (url === undefined) return Layer.empty
  // Loaded only when tracing is on: most runs never pay for the exporter's modules.
  return Layer.unwrapEffect(
    Effect.promise(async () => {
      const [OtlpTracer, OtlpSerialization, FetchHttpClient] = await Promise.all([
        import("@effect/opentelemetry/OtlpTracer"),
        import("@effect/opentelemetry/OtlpSerialization"),
        import("@effect/platform/FetchHttpClient")
      ])
      return OtlpTracer.layer({
        url,
        resource: {
          serviceName: env.OTEL_SERVICE_NAME?.trim() || config.tracing.service_name,
          serviceVersion: packageJson.version
        },
        // A collector that does not answer delays the end of a run by this much at most.
        shutdownTimeout: "3 seconds"
      }).pipe(Layer.provide(Layer.merge(OtlpSerialization.layerJson, FetchHttpClient.layer)))
    })
  )
}
