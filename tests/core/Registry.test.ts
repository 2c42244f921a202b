import { describe, expect, it } from "bun:test"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { definePlugin } from "../../core/Plugin.ts"
import { loadCatalogue } from "../../core/Profile.ts"
import { makeRegistry, type PlannedStep, PluginConflict, Registry, StepNotFound } from "../../core/Registry.ts"
import { defineStep } from "../../core/Step.ts"
import { run } from "../support/effect.ts"

const passThrough = (id: string, aliases: ReadonlyArray<string> = []) =>
  defineStep({ id, aliases, description: `step ${id}`, kind: "transform", run: (input) => input })

const emailStep = passThrough("enrich.email")
const emails = definePlugin({ id: "emails", steps: [emailStep] })

const planned = (id: string, aliases: ReadonlyArray<string> = []): PlannedStep => ({
  id,
  aliases,
  description: `planned ${id}`,
  after: []
})

describe("Registry", () => {
  it("rejects a second plugin that registers enrich.email", async () => {
    const other = definePlugin({ id: "acme", steps: [passThrough("enrich.email")] })
    const error = await run(Effect.flip(makeRegistry([emails, other])))
    expect(error).toBeInstanceOf(PluginConflict)
    expect(error.stepId).toBe("enrich.email")
    expect(error.plugins).toEqual(["emails", "acme"])
    expect(error.message).toContain("enrich.email")
    expect(error.message).toContain("emails")
    expect(error.message).toContain("acme")
  })

  it("rejects a plugin whose alias is another plugin's step id", async () => {
    const other = definePlugin({ id: "acme", steps: [passThrough("enrich.mail", ["enrich.email"])] })
    const error = await run(Effect.flip(makeRegistry([emails, other])))
    expect(error).toBeInstanceOf(PluginConflict)
    expect(error.stepId).toBe("enrich.email")
    expect(error.plugins).toEqual(["emails", "acme"])
  })

  it("rejects two plugins declaring the same alias for different steps", async () => {
    const first = definePlugin({ id: "first", steps: [passThrough("enrich.domain", ["enrich.domains"])] })
    const second = definePlugin({ id: "second", steps: [passThrough("enrich.site", ["enrich.domains"])] })
    const error = await run(Effect.flip(makeRegistry([first, second])))
    expect(error.stepId).toBe("enrich.domains")
    expect(error.plugins).toEqual(["first", "second"])
  })

  it("fails the Registry.fromPlugins layer on a conflict", async () => {
    const other = definePlugin({ id: "acme", steps: [passThrough("enrich.email")] })
    const error = await run(Effect.flip(Layer.build(Registry.fromPlugins([emails, other]))))
    expect(error).toBeInstanceOf(PluginConflict)
    expect(error.stepId).toBe("enrich.email")
  })

  it("registers every step of distinct plugins", async () => {
    const web = definePlugin({ id: "web", steps: [passThrough("enrich.domain", ["enrich.domains"])] })
    const registry = await run(makeRegistry([emails, web]))
    expect(registry.steps.map((step) => step.id)).toEqual(["enrich.email", "enrich.domain"])
    expect(registry.plugins.map((plugin) => plugin.id)).toEqual(["emails", "web"])
    expect(registry.steps[1]?.plugin).toEqual({ id: "web", version: "0.0.0" })
  })

  it("finds a step by alias, returning the canonical step invoked under the alias", async () => {
    const web = definePlugin({ id: "web", steps: [passThrough("enrich.domain", ["enrich.domains"])] })
    const registry = await run(makeRegistry([web]))
    const found = await run(registry.lookup("enrich.domains"))
    expect(found._tag).toBe("Available")
    if (found._tag !== "Available") return
    expect(found.step.id).toBe("enrich.domain")
    expect(found.invokedAs).toBe("enrich.domains")
    const direct = await run(registry.lookup("enrich.domain"))
    expect(direct).toMatchObject({ _tag: "Available", invokedAs: "enrich.domain" })
  })

  it("fails an unknown id with StepNotFound suggesting the closest known id", async () => {
    const registry = await run(makeRegistry([], await run(loadCatalogue())))
    const error = await run(Effect.flip(registry.lookup("enrich.emial")))
    expect(error).toBeInstanceOf(StepNotFound)
    expect(error.stepId).toBe("enrich.emial")
    expect(error.suggestion).toBe("enrich.email")
    expect(error.message).toBe("unknown step enrich.emial (did you mean enrich.email?)")
  })

  it("suggests a step id provided by a plugin as well as catalogue ids", async () => {
    const registry = await run(makeRegistry([emails]))
    const error = await run(Effect.flip(registry.lookup("enrich.emails")))
    expect(error.suggestion).toBe("enrich.email")
  })

  it("gives no suggestion when nothing is close", async () => {
    const registry = await run(makeRegistry([emails]))
    const error = await run(Effect.flip(registry.lookup("totally.different")))
    expect(error).toBeInstanceOf(StepNotFound)
    expect(error.suggestion).toBeUndefined()
    expect(error.message).toBe("unknown step totally.different")
  })

  it("reports a catalogue id no plugin provides as NotAvailable, also under its alias", async () => {
    const registry = await run(makeRegistry([], [planned("crawl.site", ["crawl.site_async"])]))
    const byId = await run(registry.lookup("crawl.site"))
    expect(byId).toMatchObject({ _tag: "NotAvailable", invokedAs: "crawl.site" })
    const byAlias = await run(registry.lookup("crawl.site_async"))
    expect(byAlias._tag).toBe("NotAvailable")
    if (byAlias._tag !== "NotAvailable") return
    expect(byAlias.planned.id).toBe("crawl.site")
    expect(byAlias.invokedAs).toBe("crawl.site_async")
  })

  it("prefers a plugin's step over the catalogue entry of the same id", async () => {
    const registry = await run(makeRegistry([emails], [planned("enrich.email")]))
    const found = await run(registry.lookup("enrich.email"))
    expect(found._tag).toBe("Available")
  })

  it("knows every documented step id from the catalogue", async () => {
    const catalogue = await run(loadCatalogue())
    const registry = await run(makeRegistry([], catalogue))
    for (const id of ["dumps.collect", "enrich.domains", "quality.clean_contacts_final", "metrics.export"]) {
      const found = await run(registry.lookup(id))
      expect(found._tag).toBe("NotAvailable")
    }
  })
})

describe("defineStep", () => {
  it("rejects malformed step ids", () => {
    for (const id of ["enrich", "Enrich.email", "enrich.", ".email", "enrich-email", "enrich.e mail", "1x.y"]) {
      expect(() => passThrough(id)).toThrow(`step id "${id}" must look like stage.action`)
    }
  })

  it("rejects a malformed alias", () => {
    expect(() => passThrough("enrich.domain", ["Domains"])).toThrow('step id "Domains"')
  })

  it("accepts dotted lower-case ids with digits and underscores", () => {
    const step = passThrough("quality.clean_contacts_2", ["quality.clean.contacts"])
    expect(step.id).toBe("quality.clean_contacts_2")
    expect(step.aliases).toEqual(["quality.clean.contacts"])
  })

  it("gives an inline step its own layer providing the run under the step's tag", async () => {
    const step = defineStep({
      id: "demo.one",
      description: "emits one record",
      kind: "source",
      run: () => Stream.make({ siret: "1" })
    })
    expect(step.layer).toBeDefined()
    const service = await run(Effect.provide(step.tag, step.layer!))
    expect(typeof service.run).toBe("function")
  })
})
