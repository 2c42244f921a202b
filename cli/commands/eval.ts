/**
 * `eval`: extraction precision and recall per field, on a labelled corpus folder (by default the
 * real French sites of ../shared/corpus/real-sites) and on the fixture web's ground truth, against
 * the targets of the extraction issue. Exit 0 when every target is met, 4 when one is not.
 */
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { PROJECT_ROOT } from "../../core/ProjectRoot.ts"
import { ExitCode } from "../../core/Summary.ts"
import type { EvalReport } from "../../plugins/contacts/eval/evaluate.ts"
import { FIELDS } from "../../plugins/contacts/eval/fields.ts"
import { decodeArgs, type OptionSpecs, UsageError } from "../args.ts"
import type { CliIo } from "../io.ts"
import { reportFailure } from "./run.ts"

/** The labelled real-site corpus shipped next to the repository. */
export const DEFAULT_CORPUS = resolve(PROJECT_ROOT, "../shared/corpus/real-sites")

/** The fixture web's run could not be scored (the message says why and where its folder is kept). */
export class EvalFailed extends Data.TaggedError("EvalFailed")<{ readonly reason: string }> {
  override get message() {
    return `eval: ${this.reason}`
  }
}

export const evalOptions = {
  corpus: {
    kind: "strings",
    value: "DIR",
    description: "a labelled corpus folder: labels.json and pages/<id>/<file> (default ../shared/corpus/real-sites)"
  },
  fixture: { kind: "boolean", description: "also score the fixture web (the default when no --corpus is given)" },
  "fixture-sites": { kind: "integer", value: "N", description: "fixture web sites to crawl and score (default 300)" },
  "fixture-seed": { kind: "integer", value: "N", description: "the fixture web's seed (default 2026)" },
  details: { kind: "boolean", description: "list every false positive and miss" },
  json: { kind: "boolean", description: "print only the JSON report on stdout" }
} as const satisfies OptionSpecs

const percent = (value: number) => value.toFixed(3)

export const renderReport = (report: EvalReport, details: boolean): string => {
  const lines = [
    `${report.source}: ${report.sites} sites, ${report.pages} pages; ${report.timed}: ${report.seconds} s (${report.pages_per_s} pages/s)`,
    `  ${"field".padEnd(8)} ${"precision".padStart(9)} ${"recall".padStart(7)} ${"tp".padStart(5)} ${"fp".padStart(4)} ${"fn".padStart(4)}  target`
  ]
  for (const field of FIELDS) {
    const score = report.fields[field]
    if (score.tp + score.fp + score.fn === 0 && score.target === null) continue
    const target =
      score.target === null
        ? "-"
        : `P>=${score.target.precision} R>=${score.target.recall} ${score.met ? "met" : "NOT MET"}`
    lines.push(
      `  ${field.padEnd(8)} ${percent(score.precision).padStart(9)} ${percent(score.recall).padStart(7)} ${String(score.tp).padStart(5)} ${String(score.fp).padStart(4)} ${String(score.fn).padStart(4)}  ${target}`
    )
    if (details) {
      for (const { site, value } of score.falsePositives) lines.push(`      false positive  ${site}  ${value}`)
      for (const { site, value } of score.misses) lines.push(`      missed          ${site}  ${value}`)
    }
  }
  return lines.join("\n")
}

export const evalCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("eval", argv, evalOptions)
    const explicit = args.corpus.map((dir) => resolve(io.cwd, dir))
    const corpora = explicit.length > 0 ? explicit : existsSync(DEFAULT_CORPUS) ? [DEFAULT_CORPUS] : []
    if (explicit.length === 0 && corpora.length === 0) {
      io.err(`note: the default corpus ${DEFAULT_CORPUS} is not here; scoring the fixture web only`)
    }
    // The parser and extractors load with this command, not with every other one.
    const { CorpusInvalid } = yield* Effect.promise(() => import("../../plugins/contacts/eval/Corpus.ts"))
    const { evaluateCorpus } = yield* Effect.promise(() => import("../../plugins/contacts/eval/evaluate.ts"))
    const reports: EvalReport[] = []
    for (const dir of corpora) {
      if (!args.json) io.err(`scoring ${dir}…`)
      reports.push(
        yield* Effect.try({
          try: () => evaluateCorpus(dir),
          catch: (error) =>
            error instanceof CorpusInvalid
              ? new UsageError({ command: "eval", reason: `eval: ${error.message}` })
              : error
        })
      )
    }
    if (explicit.length === 0 || args.fixture) {
      if (!args.json) io.err("crawling and scoring the fixture web…")
      const { evaluateFixture } = yield* Effect.promise(() => import("../eval-fixture.ts"))
      const sites = args["fixture-sites"] ?? 300
      if (sites < 1)
        return yield* new UsageError({ command: "eval", reason: "eval: --fixture-sites must be at least 1" })
      reports.push(
        yield* Effect.tryPromise({
          try: () => evaluateFixture({ sites, seed: args["fixture-seed"] ?? 2026, io }),
          catch: (error) => new EvalFailed({ reason: error instanceof Error ? error.message : String(error) })
        })
      )
    }
    const met = reports.every((report) => report.met)
    if (args.json) io.out(JSON.stringify({ met, reports }, null, 2))
    else io.out(reports.map((report) => renderReport(report, args.details)).join("\n\n"))
    return met ? ExitCode.ok : ExitCode.kpisNotMet
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))
