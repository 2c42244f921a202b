/**
 * The plugin SDK: the one module a third-party plugin imports (`filon/core/sdk.ts`). What it exports
 * is the plugin API whose major version is PLUGIN_API_VERSION; docs/plugins.md walks through it.
 * The Effect modules come from filon's own copy, so a plugin's layers, streams and schemas are the
 * runner's, whatever else the plugin's package installs.
 */

export * as Config from "effect/Config"
export * as Context from "effect/Context"
export * as Data from "effect/Data"
export * as Effect from "effect/Effect"
export * as Layer from "effect/Layer"
export * as Option from "effect/Option"
export * as Redacted from "effect/Redacted"
export * as Schema from "effect/Schema"
export * as Stream from "effect/Stream"
export { Budget, BudgetExceeded } from "./Budget.ts"
export { FetchFailed } from "./http/FetchError.ts"
export { type FetchRequest, type FetchResponse, HttpFetcher, type HttpFetcherShape } from "./http/HttpFetcher.ts"
export { defaultHttpSettings, type HttpSettings } from "./http/HttpSettings.ts"
export { pace } from "./http/pace.ts"
export { DEFAULT_STEP_TIMEOUT_S, definePlugin, PLUGIN_API_VERSION, type Plugin } from "./Plugin.ts"
export { RECORD_KEY, type Rec } from "./Record.ts"
export {
  defineStep,
  type FieldMap,
  type FieldSpec,
  type FieldType,
  NoConfig,
  type OutputSpec,
  type RecordInput,
  type StepContext,
  type StepDefinition,
  type StepService
} from "./Step.ts"
