/**
 * The fixture web's half of `filon eval`: its sites crawled through the real pipeline (crawl.site,
 * headless.collect when a browser is here, parse.html, enrich.*) exactly as a run would, and the
 * exported dataset scored against the ground truth of values a robots.txt-respecting crawler can
 * reach (without a browser, values only JavaScript shows are not counted).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import YAML from "yaml"
import { projectPath } from "../core/ProjectRoot.ts"
import { type EvalReport, FIXTURE_TARGETS, report, type ScoredSite } from "../plugins/contacts/eval/evaluate.ts"
import { builtinPlugins } from "../plugins/index.ts"
import { startFixtureWeb } from "../plugins/web/fixture/FixtureWeb.ts"
import { browserAvailability } from "../plugins/web/headless/Chromium.ts"
import { runProfileCommand } from "./commands/run.ts"
import type { CliIo } from "./io.ts"

export interface FixtureEvalOptions {
  readonly sites: number
  readonly seed?: number
  /** Keep the run folder (its path is in the report's source) instead of removing it. */
  readonly keep?: boolean
  /** Where the run's progress goes (the eval command's stderr). */
  readonly io: Pick<CliIo, "err" | "progressStream">
}

/** RFC 4180 rows of a CSV text (the dataset writer's own format). */
export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = []
  let row: string[] = []
  let field = ""
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"'
        index++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ",") {
      row.push(field)
      field = ""
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") index++
      row.push(field)
      rows.push(row)
      row = []
      field = ""
    } else field += char
  }
  if (field !== "" || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

const list = (cell: string | undefined) => (cell === undefined || cell === "" ? [] : cell.split(";"))

export const evaluateFixture = async (options: FixtureEvalOptions): Promise<EvalReport> => {
  const web = await startFixtureWeb({ seed: options.seed ?? 2026, sites: options.sites })
  const dir = mkdtempSync(join(tmpdir(), "filon-eval-"))
  let dispose = false
  try {
    const browser = await browserAvailability()
    const companies = join(dir, "companies.csv")
    writeFileSync(
      companies,
      `siret,name,website\n${web.truth.map((site) => `${site.siret},"${site.name.replaceAll('"', '""')}",${site.domain}`).join("\n")}\n`
    )
    const job = join(dir, "job.yaml")
    writeFileSync(
      job,
      YAML.stringify({
        niche: "eval_fixture_web",
        profile: projectPath("plugins/contacts/eval/fixture.profile.yaml"),
        http: { proxy: web.proxyUrl, per_host_rps: 20, concurrency: 64 }
      })
    )
    const out = join(dir, "run")
    const runIo: CliIo = {
      out: () => {},
      err: options.io.err,
      ...(options.io.progressStream === undefined ? {} : { progressStream: options.io.progressStream }),
      cwd: dir,
      interrupted: Effect.never,
      builtins: builtinPlugins
    }
    const previousDataDir = process.env.FILON_DATA_DIR
    process.env.FILON_DATA_DIR = join(dir, "data")
    const started = performance.now()
    const code = await Effect.runPromise(
      runProfileCommand(runIo, ["--job", job, "--input", companies, "--out", out]).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            if (previousDataDir === undefined) delete process.env.FILON_DATA_DIR
            else process.env.FILON_DATA_DIR = previousDataDir
          })
        )
      )
    )
    const seconds = (performance.now() - started) / 1000
    if (code !== 0 && code !== 4) throw new Error(`the fixture web run failed (exit ${code}); run folder ${out}`)
    const [header, ...rows] = parseCsv(readFileSync(join(out, "dataset_enriched.csv"), "utf8"))
    const column = (name: string) => {
      const index = header!.indexOf(name)
      if (index < 0) throw new Error(`dataset_enriched.csv has no ${name} column`)
      return index
    }
    const [siret, emails, phones, siretSite, social] = ["siret", "emails", "phones", "site_siret", "social_urls"].map(
      column
    )
    const bySiret = new Map(rows.map((row) => [row[siret!]!, row]))
    const scored = web.truth.map((truth): ScoredSite => {
      const row = bySiret.get(truth.siret)
      const reachable = browser.ok ? truth.reachable : truth.reachableStatic
      const neutral = [...truth.fax, ...truth.emails, ...truth.phones].filter(
        (value) => !reachable.emails.includes(value) && !reachable.phones.includes(value)
      )
      return {
        truth: {
          id: truth.domain,
          fields: {
            emails: { own: reachable.emails, neutral },
            phones: { own: reachable.phones, neutral: [...neutral, ...truth.fax] }
          }
        },
        found: {
          emails: list(row?.[emails!]),
          phones: list(row?.[phones!]),
          siren: [],
          siret: list(row?.[siretSite!]),
          social: list(row?.[social!])
        }
      }
    })
    const summary = JSON.parse(readFileSync(join(out, "reports/crawl_summary.json"), "utf8")) as { pages: number }
    const scoredReport = report(
      `fixture web (${options.sites} sites, seed ${options.seed ?? 2026}${browser.ok ? "" : ", no browser: static values only"})`,
      scored,
      { pages: summary.pages, bytes: 0, seconds, timed: "crawl, render, parse and extract" },
      FIXTURE_TARGETS
    )
    dispose = !options.keep
    return scoredReport
  } finally {
    await web.stop()
    // A failed run's folder stays for the user to read (its path is in the error).
    if (dispose) rmSync(dir, { recursive: true, force: true })
  }
}
