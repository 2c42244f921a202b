import { afterAll, describe, expect, it } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import {
  finalRecordSources,
  type Plan,
  PlanInvalid,
  type PlanNode,
  recordSourcesOf,
  resolvePlan
} from "../../core/Plan.ts"
import { definePlugin } from "../../core/Plugin.ts"
import {
  BUILTIN_PROFILES_DIR,
  listProfileIds,
  loadCatalogue,
  loadProfile,
  type Profile,
  ProfileInvalid,
  ProfileNotFound
} from "../../core/Profile.ts"
import { makeRegistry } from "../../core/Registry.ts"
import { defineStep, type FieldMap, type StepDefinition, type StepKind } from "../../core/Step.ts"
import { run } from "../support/effect.ts"

interface Shape {
  readonly kind?: StepKind
  readonly aliases?: ReadonlyArray<string>
  readonly needs?: ReadonlyArray<string>
  readonly after?: ReadonlyArray<string>
  readonly reads?: FieldMap
  readonly writes?: FieldMap
}

/** A step whose inline run matches its kind: sources emit, transforms pass on, sinks drain. */
const step = (id: string, shape: Shape = {}): StepDefinition => {
  const common = {
    id,
    description: `step ${id}`,
    aliases: shape.aliases ?? [],
    needs: shape.needs ?? [],
    after: shape.after ?? [],
    reads: shape.reads ?? {},
    writes: shape.writes ?? {}
  }
  const kind = shape.kind ?? "transform"
  if (kind === "source") return defineStep({ ...common, kind, run: () => Stream.make({ siret: "1" }) })
  if (kind === "sink") return defineStep({ ...common, kind, run: (input) => Stream.runDrain(input) })
  return defineStep({ ...common, kind, run: (input) => input })
}

const field = (description: string, optional = false) =>
  optional ? { type: "string" as const, description, optional } : { type: "string" as const, description }

const profileOf = (steps: ReadonlyArray<string>, id = "test"): Profile => ({
  id,
  file: `/profiles/${id}.yaml`,
  description: `profile ${id}`,
  steps,
  config: {}
})

const resolve = (steps: ReadonlyArray<StepDefinition>, listed: ReadonlyArray<string>) =>
  makeRegistry([definePlugin({ id: "t", steps })]).pipe(
    Effect.orDie,
    Effect.flatMap((registry) => resolvePlan(profileOf(listed), registry))
  )

const planOf = (steps: ReadonlyArray<StepDefinition>, listed: ReadonlyArray<string>) => run(resolve(steps, listed))
const problemsOf = (steps: ReadonlyArray<StepDefinition>, listed: ReadonlyArray<string>) =>
  run(Effect.flip(resolve(steps, listed)))

const nodeOf = (plan: Plan, name: string): PlanNode => {
  const node = plan.nodes.find((candidate) => candidate.name === name)
  if (!node) throw new Error(`no node ${name} in the plan`)
  return node
}
const depsOf = (plan: Plan, name: string) => nodeOf(plan, name).deps

const source = step("t.source", { kind: "source", writes: { siret: field("id"), name: field("name") } })
const a = step("t.a", { needs: ["t.source"] })
const b = step("t.b", { needs: ["t.source"] })

describe("resolvePlan", () => {
  it("orders steps topologically, whatever the profile's listing order", async () => {
    const c = step("t.c", { needs: ["t.a", "t.b"] })
    const plan = await planOf([source, a, b, c], ["t.c", "t.b", "t.a", "t.source"])
    expect(plan.nodes.map((node) => node.name)).toEqual(["t.source", "t.b", "t.a", "t.c"])
    expect(plan.batches).toEqual([["t.source"], ["t.b", "t.a"], ["t.c"]])
    expect(plan.nodes.map((node) => node.batch)).toEqual([0, 1, 1, 2])
    expect(depsOf(plan, "t.c")).toEqual(["t.b", "t.a"])
    expect(depsOf(plan, "t.a")).toEqual(["t.source"])
    expect(depsOf(plan, "t.source")).toEqual([])
    expect(plan.unavailable).toEqual([])
  })

  it("puts independent steps in one batch, in profile order", async () => {
    const plan = await planOf([source, a, b], ["t.source", "t.a", "t.b"])
    expect(plan.batches).toEqual([["t.source"], ["t.a", "t.b"]])
  })

  it("keeps the profile, the canonical id and the step on each node", async () => {
    const plan = await planOf([source], ["t.source"])
    expect(plan.profile.id).toBe("test")
    expect(plan.nodes[0]).toMatchObject({ name: "t.source", id: "t.source", description: "step t.source", batch: 0 })
    expect(plan.nodes[0]?.step?.id).toBe("t.source")
  })

  it("fails when a hard need is missing from the profile, naming the step and the need", async () => {
    const error = await problemsOf([source, a], ["t.a"])
    expect(error).toBeInstanceOf(PlanInvalid)
    expect(error.profile).toBe("test")
    expect(error.problems).toEqual(["step t.a needs t.source, which profile test does not include"])
  })

  it("reports every missing need at once", async () => {
    const error = await problemsOf([source, a, b], ["t.a", "t.b"])
    expect(error.problems).toEqual([
      "step t.a needs t.source, which profile test does not include",
      "step t.b needs t.source, which profile test does not include"
    ])
  })

  it("fails on an unknown step id with a suggestion", async () => {
    const error = await problemsOf([source, a], ["t.source", "t.aa"])
    expect(error).toBeInstanceOf(PlanInvalid)
    expect(error.problems).toEqual(["unknown step t.aa (did you mean t.a?)"])
  })

  it("fails when the same name is listed twice", async () => {
    const error = await problemsOf([source], ["t.source", "t.source"])
    expect(error.problems).toEqual(["step t.source is listed twice"])
  })

  it("fails on a cycle of hard needs, showing the cycle path", async () => {
    const x = step("t.x", { needs: ["t.y"] })
    const y = step("t.y", { needs: ["t.z"] })
    const z = step("t.z", { needs: ["t.x"] })
    const error = await problemsOf([x, y, z], ["t.x", "t.y", "t.z"])
    expect(error).toBeInstanceOf(PlanInvalid)
    expect(error.problems).toEqual(["steps depend on each other in a cycle: t.x -> t.y -> t.z -> t.x"])
    expect(error.message).toContain("profile test cannot run")
  })

  it("adds a soft `after` edge when the profile has that step", async () => {
    const late = step("t.late", { kind: "source", after: ["t.source"] })
    const plan = await planOf([source, late], ["t.late", "t.source"])
    expect(depsOf(plan, "t.late")).toEqual(["t.source"])
    expect(plan.batches).toEqual([["t.source"], ["t.late"]])
  })

  it("ignores a soft `after` on a step the profile does not have", async () => {
    const late = step("t.late", { kind: "source", after: ["t.source", "t.missing"] })
    const plan = await planOf([source, late], ["t.late"])
    expect(depsOf(plan, "t.late")).toEqual([])
    expect(plan.batches).toEqual([["t.late"]])
  })

  it("drops a soft `after` edge that would close a cycle with a hard need", async () => {
    const first = step("t.first", { kind: "source", after: ["t.second"] })
    const second = step("t.second", { needs: ["t.first"] })
    const plan = await planOf([first, second], ["t.first", "t.second"])
    expect(depsOf(plan, "t.first")).toEqual([])
    expect(depsOf(plan, "t.second")).toEqual(["t.first"])
  })

  it('runs a sink with `after: ["*"]` after everything but its own dependents', async () => {
    const exporter = step("t.export", { kind: "sink", after: ["*"] })
    const premium = step("t.premium", { kind: "sink", needs: ["t.export"] })
    const late = step("t.late", { kind: "sink", after: ["t.export"] })
    const plan = await planOf(
      [source, a, b, exporter, premium, late],
      ["t.source", "t.export", "t.premium", "t.late", "t.a", "t.b"]
    )
    expect(depsOf(plan, "t.export")).toEqual(["t.source", "t.a", "t.b"])
    expect(depsOf(plan, "t.premium")).toEqual(["t.export"])
    expect(depsOf(plan, "t.late")).toEqual(["t.export"])
    expect(plan.batches).toEqual([["t.source"], ["t.a", "t.b"], ["t.export"], ["t.premium", "t.late"]])
  })

  it('does not order two `after: ["*"]` steps against each other', async () => {
    const one = step("t.one", { kind: "sink", after: ["*"] })
    const two = step("t.two", { kind: "sink", after: ["*"] })
    const plan = await planOf([source, a, one, two], ["t.one", "t.two", "t.source", "t.a"])
    expect(depsOf(plan, "t.one")).toEqual(["t.source", "t.a"])
    expect(depsOf(plan, "t.two")).toEqual(["t.source", "t.a"])
    expect(plan.batches).toEqual([["t.source"], ["t.a"], ["t.one", "t.two"]])
  })

  it("matches a prefix pattern such as `enrich.*` only against ids with that prefix", async () => {
    const email = step("enrich.email", { needs: ["t.source"] })
    const phone = step("enrich.phone", { needs: ["t.source"] })
    const crawl = step("crawl.site", { needs: ["t.source"] })
    const checks = step("quality.checks", { after: ["enrich.*"] })
    const plan = await planOf(
      [source, email, phone, crawl, checks],
      ["quality.checks", "t.source", "enrich.email", "crawl.site", "enrich.phone"]
    )
    expect(depsOf(plan, "quality.checks")).toEqual(["enrich.email", "enrich.phone"])
  })

  it("makes an aliased step listed twice two nodes, the second after the first and everything between", async () => {
    const clean = step("quality.clean_contacts", {
      aliases: ["quality.clean_contacts_initial", "quality.clean_contacts_final"],
      needs: ["t.source"]
    })
    const c = step("t.c", { needs: ["t.source"] })
    const plan = await planOf(
      [source, a, b, c, clean],
      ["t.source", "quality.clean_contacts_initial", "t.a", "t.b", "quality.clean_contacts_final", "t.c"]
    )
    const initial = nodeOf(plan, "quality.clean_contacts_initial")
    const final = nodeOf(plan, "quality.clean_contacts_final")
    expect(initial.id).toBe("quality.clean_contacts")
    expect(final.id).toBe("quality.clean_contacts")
    expect(initial.deps).toEqual(["t.source"])
    expect(final.deps).toEqual(["t.source", "quality.clean_contacts_initial", "t.a", "t.b"])
    expect(depsOf(plan, "t.c")).toEqual(["t.source"])
    expect(plan.batches).toEqual([
      ["t.source"],
      ["quality.clean_contacts_initial", "t.a", "t.b", "t.c"],
      ["quality.clean_contacts_final"]
    ])
  })

  it("binds a need on a twice-listed step to the nearest occurrence listed before the dependent", async () => {
    const clean = step("quality.clean_contacts", {
      kind: "source",
      aliases: ["quality.clean_contacts_initial", "quality.clean_contacts_final"]
    })
    const before = step("t.before", { needs: ["quality.clean_contacts"] })
    const after = step("t.after", { needs: ["quality.clean_contacts"] })
    const plan = await planOf(
      [clean, before, after],
      ["t.before", "quality.clean_contacts_initial", "quality.clean_contacts_final", "t.after"]
    )
    expect(depsOf(plan, "t.before")).toEqual(["quality.clean_contacts_initial"])
    expect(depsOf(plan, "t.after")).toEqual(["quality.clean_contacts_final"])
  })

  it("reports a read field no upstream step writes, but not an optional one", async () => {
    const reader = step("t.reader", {
      needs: ["t.source"],
      reads: { name: field("written by the source"), website: field("written by nobody"), phone: field("x", true) },
      writes: { name_upper: field("upper") }
    })
    const plan = await planOf([source, reader], ["t.source", "t.reader"])
    expect(plan.fieldProblems).toEqual([{ step: "t.reader", field: "website" }])
  })

  it("reports a field written only by a step that is not upstream", async () => {
    const writer = step("t.writer", { needs: ["t.source"], writes: { website: field("site") } })
    const reader = step("t.reader", { needs: ["t.source"], reads: { website: field("site") } })
    const plan = await planOf([source, writer, reader], ["t.source", "t.writer", "t.reader"])
    expect(plan.fieldProblems).toEqual([{ step: "t.reader", field: "website" }])
    const ordered = step("t.reader", { needs: ["t.source"], after: ["t.writer"], reads: { website: field("site") } })
    const fixed = await planOf([source, writer, ordered], ["t.source", "t.writer", "t.reader"])
    expect(fixed.fieldProblems).toEqual([])
  })

  it("lists a step no plugin provides as unavailable, ordered by its catalogue `after`", async () => {
    const registry = await run(
      makeRegistry(
        [definePlugin({ id: "t", steps: [source] })],
        [{ id: "t.planned", aliases: [], description: "not built yet", after: ["t.source"] }]
      )
    )
    const plan = await run(resolvePlan(profileOf(["t.planned", "t.source"]), registry))
    expect(plan.unavailable.map((node) => node.name)).toEqual(["t.planned"])
    expect(nodeOf(plan, "t.planned").step).toBeUndefined()
    expect(nodeOf(plan, "t.planned").description).toBe("not built yet")
    expect(plan.batches).toEqual([["t.source"], ["t.planned"]])
  })
})

describe("recordSourcesOf", () => {
  it("reads every branch when a sink needs two sibling transforms", async () => {
    const sink = step("t.sink", { kind: "sink", needs: ["t.a", "t.b"] })
    const plan = await planOf([source, a, b, sink], ["t.source", "t.a", "t.b", "t.sink"])
    const sources = recordSourcesOf(plan.nodes)
    expect(sources.get("t.source")).toEqual([])
    expect(sources.get("t.a")).toEqual(["t.source"])
    expect(sources.get("t.b")).toEqual(["t.source"])
    expect(sources.get("t.sink")).toEqual(["t.a", "t.b"])
    expect(finalRecordSources(plan.nodes)).toEqual(["t.a", "t.b"])
  })

  it("reads only the end of a chain, whose file already holds its ancestors' fields", async () => {
    const chained = step("t.b", { needs: ["t.a"] })
    const both = step("t.both", { needs: ["t.source", "t.b"] })
    const plan = await planOf([source, a, chained, both], ["t.source", "t.a", "t.b", "t.both"])
    const sources = recordSourcesOf(plan.nodes)
    expect(sources.get("t.b")).toEqual(["t.a"])
    expect(sources.get("t.both")).toEqual(["t.b"])
    expect(finalRecordSources(plan.nodes)).toEqual(["t.both"])
  })

  it("passes a sink's input on to its dependents", async () => {
    const sink = step("t.sink", { kind: "sink", needs: ["t.a", "t.b"] })
    const after = step("t.after", { needs: ["t.sink"] })
    const plan = await planOf([source, a, b, sink, after], ["t.source", "t.a", "t.b", "t.sink", "t.after"])
    const sources = recordSourcesOf(plan.nodes)
    expect(sources.get("t.after")).toEqual(["t.a", "t.b"])
    expect(finalRecordSources(plan.nodes)).toEqual(["t.after"])
  })

  it("orders a node's sources upstream first, by plan order", async () => {
    const late = step("t.late", { needs: ["t.a"] })
    const sink = step("t.sink", { kind: "sink", needs: ["t.late", "t.b"] })
    const plan = await planOf([source, a, b, late, sink], ["t.sink", "t.late", "t.b", "t.a", "t.source"])
    expect(recordSourcesOf(plan.nodes).get("t.sink")).toEqual(["t.b", "t.late"])
    expect(finalRecordSources(plan.nodes)).toEqual(["t.b", "t.late"])
  })

  it("leaves the source as the final records when only sinks follow it", async () => {
    const sink = step("t.sink", { kind: "sink", needs: ["t.source"] })
    const plan = await planOf([source, sink], ["t.source", "t.sink"])
    expect(recordSourcesOf(plan.nodes).get("t.sink")).toEqual(["t.source"])
    expect(finalRecordSources(plan.nodes)).toEqual(["t.source"])
  })
})

/** The Profiles table of CONTRACTS.md. */
const quick = [
  "dumps.collect",
  "normalize.standardize",
  "quality.checks",
  "quality.score",
  "package.export",
  "finalize.premium_dataset"
]
const standard = [
  ...quick,
  "parse.jsonld",
  "http.serp",
  "enrich.domain",
  "crawl.site",
  "enrich.address",
  "scraper.maps",
  "enrich.email",
  "enrich.phone",
  "enrich.linkedin_clearbit_lite",
  "enrich.contacts",
  "quality.clean_contacts"
]
const nocapital = [
  ...quick,
  "enrich.domains",
  "crawl.site",
  "enrich.email",
  "enrich.phone",
  "enrich.contacts",
  "correlation.checks",
  "enrich.linkedin"
]
const contractSteps: Record<string, ReadonlyArray<string>> = {
  quick,
  standard,
  standard_nocapital: nocapital,
  standard_nocapital_v2: [...nocapital, "metrics.export"],
  hybrid: [
    ...quick,
    "http.serp",
    "enrich.domain",
    "crawl.site_async",
    "quality.clean_contacts_initial",
    "headless.collect_fallback",
    "enrich.email",
    "enrich.phone",
    "enrich.contacts",
    "quality.clean_contacts_final"
  ],
  internal: [...standard, "quality.enrich_score"]
}

const PROFILE_IDS = ["deep", "hybrid", "internal", "quick", "standard", "standard_nocapital", "standard_nocapital_v2"]

const catalogueRegistry = () => run(Effect.flatMap(loadCatalogue(), (catalogue) => makeRegistry([], catalogue)))

describe("built-in profiles", () => {
  it("are exactly the 7 documented profiles (the catalogue is not one)", async () => {
    expect(await run(listProfileIds())).toEqual(PROFILE_IDS)
  })

  for (const id of PROFILE_IDS) {
    it(`${id} loads and resolves against the catalogue, every step not available yet`, async () => {
      const profile = await run(loadProfile(id))
      expect(profile.id).toBe(id)
      expect(profile.file).toBe(join(BUILTIN_PROFILES_DIR, `${id}.yaml`))
      expect(profile.description.length).toBeGreaterThan(0)
      const plan = await run(resolvePlan(profile, await catalogueRegistry()))
      expect(plan.nodes.map((node) => node.name).sort()).toEqual([...profile.steps].sort())
      expect(plan.unavailable.length).toBe(profile.steps.length)
      expect(plan.nodes.every((node) => node.step === undefined)).toBe(true)
      expect(plan.fieldProblems).toEqual([])
      const contract = contractSteps[id]
      if (contract) expect([...profile.steps].sort()).toEqual([...contract].sort())
    })
  }

  it("quick runs its 6 steps in dependency order, from dumps.collect to finalize.premium_dataset", async () => {
    const plan = await run(resolvePlan(await run(loadProfile("quick")), await catalogueRegistry()))
    expect(plan.nodes.map((node) => node.name)).toEqual(quick)
    expect(plan.batches).toEqual(quick.map((name) => [name]))
    expect(depsOf(plan, "package.export")).toEqual([
      "dumps.collect",
      "normalize.standardize",
      "quality.checks",
      "quality.score"
    ])
    expect(depsOf(plan, "finalize.premium_dataset")).toEqual(["package.export"])
  })

  it("run package.export after every enricher and finalize.premium_dataset last in deep", async () => {
    const plan = await run(resolvePlan(await run(loadProfile("deep")), await catalogueRegistry()))
    const names = plan.nodes.map((node) => node.name)
    expect(names[0]).toBe("dumps.collect")
    expect(names.slice(-3)).toEqual(["package.export", "finalize.premium_dataset", "metrics.export"])
  })
})

describe("loadProfile", () => {
  const dir = mkdtempSync(join(tmpdir(), "filon-profiles-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const write = (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }

  it("fails an unknown profile id with ProfileNotFound suggesting the closest one", async () => {
    const error = await run(Effect.flip(loadProfile("quik")))
    expect(error).toBeInstanceOf(ProfileNotFound)
    if (!(error instanceof ProfileNotFound)) return
    expect(error.name).toBe("quik")
    expect(error.suggestion).toBe("quick")
    expect(error.known).toEqual(PROFILE_IDS)
    expect(error.message).toContain("did you mean quick?")
  })

  it("rejects a profile file with an unknown key, naming the file and the key", async () => {
    const file = write("extra.yaml", "description: x\nsteps: [dumps.collect]\nstepz: [a.b]\n")
    const error = await run(Effect.flip(loadProfile(file)))
    expect(error).toBeInstanceOf(ProfileInvalid)
    if (!(error instanceof ProfileInvalid)) return
    expect(error.file).toBe(file)
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toStartWith("stepz: is unexpected")
    expect(error.message).toContain(file)
  })

  it("rejects a profile file with no steps, naming the file", async () => {
    write("empty.yaml", "description: nothing\nsteps: []\n")
    const error = await run(Effect.flip(loadProfile("empty", { dir })))
    expect(error).toBeInstanceOf(ProfileInvalid)
    if (!(error instanceof ProfileInvalid)) return
    expect(error.file).toBe(join(dir, "empty.yaml"))
    expect(error.problems.every((problem) => problem.startsWith("steps"))).toBe(true)
  })

  it("rejects a profile file that is not valid YAML", async () => {
    const file = write("broken.yaml", "description: [unclosed\nsteps: [a.b]\n")
    const error = await run(Effect.flip(loadProfile(file)))
    expect(error).toBeInstanceOf(ProfileInvalid)
    if (error instanceof ProfileInvalid) expect(error.problems[0]).toStartWith("not valid YAML")
  })

  it("rejects a missing profile file given by path", async () => {
    const error = await run(Effect.flip(loadProfile(join(dir, "absent.yaml"))))
    expect(error).toBeInstanceOf(ProfileInvalid)
    if (error instanceof ProfileInvalid) expect(error.problems).toEqual(["the file cannot be read (does it exist?)"])
  })

  it("loads a profile by path, relative to cwd, with its config", async () => {
    write(
      "mine.yaml",
      "description: My own\nsteps: [dumps.collect, enrich.domains]\nconfig:\n  enrich.domain: { max: 3 }\n"
    )
    const profile = await run(loadProfile("mine.yaml", { cwd: dir }))
    expect(profile).toEqual({
      id: "mine",
      file: join(dir, "mine.yaml"),
      description: "My own",
      steps: ["dumps.collect", "enrich.domains"],
      config: { "enrich.domain": { max: 3 } }
    })
  })

  it("defaults a profile's config to an empty object", async () => {
    const file = write("bare.yaml", "description: Bare\nsteps: [dumps.collect]\n")
    expect((await run(loadProfile(file))).config).toEqual({})
  })

  it("loads a profile by id from another folder", async () => {
    write("custom.yaml", "description: Custom\nsteps: [dumps.collect]\n")
    const profile = await run(loadProfile("custom", { dir }))
    expect(profile.file).toBe(join(dir, "custom.yaml"))
    expect(profile.steps).toEqual(["dumps.collect"])
  })

  it("loads a `.yml` profile that listProfileIds lists", async () => {
    const ymlDir = mkdtempSync(join(dir, "yml-"))
    writeFileSync(join(ymlDir, "other.yml"), "description: Other\nsteps: [dumps.collect]\n")
    expect(await run(listProfileIds(ymlDir))).toEqual(["other"])
    const profile = await run(loadProfile("other", { dir: ymlDir }))
    expect(profile.file).toBe(join(ymlDir, "other.yml"))
  })
})
