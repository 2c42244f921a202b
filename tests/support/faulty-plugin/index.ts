/**
 * A third-party plugin for the SDK's tests: plugin-level settings that reach its layer and its
 * steps, and an enricher that misbehaves on request (fails, dies, throws, hangs, returns malformed
 * records, or cannot start) and a source that always fails, so the runner's isolation and failure
 * policy can be checked.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { definePlugin, PLUGIN_API_VERSION } from "../../../core/Plugin.ts"
import type { Rec } from "../../../core/Record.ts"
import { defineStep, type StepService } from "../../../core/Step.ts"

export class FaultyFailure extends Data.TaggedError("FaultyFailure")<{ readonly detail: string }> {
  override get message() {
    return `faulty on purpose: ${this.detail}`
  }
}

export const MODES = [
  "ok",
  "fail",
  "die",
  "throw",
  "hang",
  "not_object",
  "drop_key",
  "change_key",
  "wrong_type"
] as const

const EnrichConfig = Schema.Struct({
  /** How it misbehaves. @default "ok" */
  mode: Schema.optionalWith(Schema.Literal(...MODES), { default: () => "ok" as const }),
  /** The 0-based position (in input order) of the record it misbehaves on. @default 2 */
  at: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 2 })
})
type EnrichConfig = typeof EnrichConfig.Type

export const PluginConfig = Schema.Struct({
  /** Written into every record. @default "faulty" */
  label: Schema.optionalWith(Schema.String, { default: () => "faulty" }),
  /** The layer fails while starting. @default false */
  fail_start: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Characters counted per name. @default 1 */
  weight: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1 })
})
type PluginConfig = typeof PluginConfig.Type

export class FaultyEnrich extends Context.Tag("plugin/faulty/FaultyEnrich")<
  FaultyEnrich,
  StepService<EnrichConfig>
>() {}

const misbehave = (mode: EnrichConfig["mode"], record: Rec, good: Rec): Effect.Effect<unknown, FaultyFailure> => {
  switch (mode) {
    case "fail":
      return Effect.fail(new FaultyFailure({ detail: "the lookup failed" }))
    case "die":
      return Effect.die(new Error("an unexpected defect"))
    case "throw":
      return Effect.sync(() => {
        throw new TypeError("cannot read properties of undefined")
      })
    case "hang":
      return Effect.never
    case "not_object":
      return Effect.succeed(42)
    case "drop_key":
      return Effect.succeed({ name: record.name, faulty_label: good.faulty_label })
    case "change_key":
      return Effect.succeed({ ...good, siret: "99999999999999" })
    case "wrong_type":
      return Effect.succeed({ ...good, faulty_len: "seven" })
    default:
      return Effect.succeed(good)
  }
}

/** The service, built from the plugin's settings (a layer that is a function of them). */
const enrichLayer = (settings: PluginConfig) =>
  Layer.succeed(FaultyEnrich, {
    run: (input, context) => {
      let position = 0
      return Stream.mapEffect(input, (record) => {
        const here = position++
        const good = {
          ...record,
          faulty_label: settings.label,
          faulty_len: String(record.name ?? "").length * settings.weight
        }
        return (
          here === context.config.at ? misbehave(context.config.mode, record, good) : Effect.succeed(good)
        ) as Effect.Effect<Rec, FaultyFailure>
      })
    }
  })

const enrich = defineStep({
  id: "faulty.enrich",
  description: "Labels each record; misbehaves on request.",
  kind: "transform",
  needs: ["test.source"],
  reads: { name: { type: "string", description: "Company name" } },
  writes: {
    faulty_label: { type: "string", description: "The plugin's label" },
    faulty_len: { type: "integer", description: "Name length times the plugin's weight" }
  },
  config: EnrichConfig,
  tag: FaultyEnrich
})

/** Needs what faulty.enrich writes; reads the plugin's settings from its context. */
const after = defineStep({
  id: "faulty.after",
  description: "Copies faulty_label with the plugin's label in front.",
  kind: "transform",
  needs: ["faulty.enrich"],
  reads: { faulty_label: { type: "string", description: "The plugin's label" } },
  writes: { faulty_after: { type: "string", description: "label:faulty_label" } },
  run: (input, context) =>
    Stream.map(input, (record) => ({
      ...record,
      faulty_after: `${(context.pluginConfig as PluginConfig).label}:${String(record.faulty_label)}`
    }))
})

/** A source that cannot read its input: nothing downstream of it has records. */
const collect = defineStep({
  id: "faulty.collect",
  description: "Fails to collect anything.",
  kind: "source",
  writes: { faulty_extra: { type: "string", description: "Never written" } },
  run: () => Stream.fail(new FaultyFailure({ detail: "the source is unreachable" }))
})

export default definePlugin({
  id: "faulty",
  version: "2.1.0",
  api: PLUGIN_API_VERSION,
  description: "Misbehaves on request (SDK tests)",
  config: PluginConfig,
  steps: [enrich, after, collect],
  layer: (settings) =>
    settings.fail_start ? Layer.fail(new FaultyFailure({ detail: "no connection at start" })) : enrichLayer(settings),
  timeout_s: 60
})
