/**
 * One trace per run, one span per executed step, exported as OTLP/HTTP JSON to the configured
 * endpoint: here a stub collector on loopback that keeps what it receives.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { defaultConfig, FilonConfig, type LoadedConfig } from "../../core/Config.ts"
import { decodeJob, type Job } from "../../core/Job.ts"
import { launchRun } from "../../core/Launch.ts"
import { tracesUrlOf } from "../../core/Tracing.ts"
import testPlugin from "../support/plugin/index.ts"

interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

const received: Array<{ path: string; body: unknown }> = []
let collector: ReturnType<typeof Bun.serve>
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "filon-tracing-"))
  collector = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      received.push({ path: new URL(request.url).pathname, body: await request.json() })
      return Response.json({})
    }
  })
})
afterAll(async () => {
  await collector.stop(true)
  await rm(dir, { recursive: true, force: true })
})

const spansOf = (bodies: ReadonlyArray<{ body: unknown }>): OtlpSpan[] =>
  bodies.flatMap(({ body }) =>
    (body as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans)
    )
  )

/** OTLP attribute values are typed objects ({ stringValue }, { intValue }, …): their one value. */
const attributesOf = (span: OtlpSpan): Record<string, unknown> =>
  Object.fromEntries(span.attributes.map(({ key, value }) => [key, Object.values(value)[0]]))

const configWith = (tracing: Record<string, unknown>): LoadedConfig => ({
  config: Schema.decodeUnknownSync(FilonConfig)({ tracing }),
  file: null
})

const launch = async (config: LoadedConfig, outDir: string, resume = false) => {
  const job = (await Effect.runPromise(decodeJob({ niche: "tracing_test" }, { file: "(test job)" }))) as Job
  return Effect.runPromise(
    launchRun(
      {
        job,
        jobFile: null,
        profileName: join(import.meta.dir, "..", "fixtures", "test-profile.yaml"),
        builtins: [testPlugin],
        config,
        cwd: dir
      },
      { inputs: [], outDir, resume, workers: 1 }
    )
  )
}

describe("tracing", () => {
  it("sends one trace per run to the OTLP endpoint before the run returns: a run span and a child span per step", async () => {
    received.length = 0
    const summary = await launch(
      configWith({ otlp_endpoint: `http://127.0.0.1:${collector.port}`, service_name: "filon-test" }),
      join(dir, "out")
    )
    expect(summary.status).toBe("succeeded")
    expect(new Set(received.map((request) => request.path))).toEqual(new Set(["/v1/traces"]))
    const spans = spansOf(received)
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1)

    const runSpan = spans.find((span) => span.name === "filon.run")!
    expect(runSpan.parentSpanId ?? "").toBe("")
    expect(attributesOf(runSpan)).toMatchObject({
      run_id: summary.run_id,
      niche: "tracing_test",
      profile: "test-profile",
      status: "succeeded"
    })

    const stepSpans = spans.filter((span) => span.name.startsWith("filon.step "))
    expect(stepSpans.map((span) => span.name).sort()).toEqual(
      summary.steps.map((step) => `filon.step ${step.name}`).sort()
    )
    for (const span of stepSpans) {
      const step = summary.steps.find((candidate) => `filon.step ${candidate.name}` === span.name)!
      expect(span.parentSpanId).toBe(runSpan.spanId)
      const attributes = attributesOf(span)
      expect(attributes).toMatchObject({ run_id: summary.run_id, step: step.name, status: "done" })
      // OTLP JSON carries integers as strings (int64).
      expect(Number(attributes.rows_in)).toBe(step.rows_in!)
      if (step.rows_out !== null) expect(Number(attributes.rows_out)).toBe(step.rows_out)
      expect(Number(attributes.cache_hits)).toBe(0)
    }
    const resource = (received[0]!.body as { resourceSpans: Array<{ resource: OtlpSpan }> }).resourceSpans[0]!.resource
    expect(attributesOf(resource)["service.name"]).toBe("filon-test")
  })

  it("gives a resumed run its own trace; steps it skips have no span", async () => {
    const outDir = join(dir, "resumed")
    const config = configWith({ otlp_endpoint: `http://127.0.0.1:${collector.port}` })
    await launch(config, outDir)
    const first = spansOf(received.splice(0))
    const resumed = await launch(config, outDir, true)
    expect(resumed.steps.every((step) => step.status === "skipped")).toBe(true)
    const second = spansOf(received.splice(0))
    expect(second.map((span) => span.name)).toEqual(["filon.run"])
    expect(second[0]!.traceId).not.toBe(first[0]!.traceId)
  })

  it("sends nothing when no endpoint is configured", async () => {
    received.length = 0
    const summary = await launch(defaultConfig(), join(dir, "untraced"))
    expect(summary.status).toBe("succeeded")
    expect(received).toEqual([])
  })
})

describe("tracesUrlOf", () => {
  const config = configWith({ otlp_endpoint: "http://collector:4318/" }).config

  it("appends /v1/traces to the config's endpoint; none configured means no tracing", () => {
    expect(tracesUrlOf(config, {})).toBe("http://collector:4318/v1/traces")
    expect(tracesUrlOf(defaultConfig().config, {})).toBeUndefined()
  })

  it("lets the standard OpenTelemetry variables override the config", () => {
    expect(tracesUrlOf(config, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://other:4318" })).toBe(
      "http://other:4318/v1/traces"
    )
    expect(tracesUrlOf(defaultConfig().config, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://x:1/custom" })).toBe(
      "http://x:1/custom"
    )
  })
})
