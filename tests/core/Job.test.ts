import { afterAll, describe, expect, it } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { decodeJob, JobInvalid, type JobProblem, jobKeyPaths, loadJob, parseJobText } from "../../core/Job.ts"
import { closestMatch } from "../../core/Suggest.ts"

const dir = mkdtempSync(join(tmpdir(), "filon-job-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let fileCount = 0
const writeJob = (text: string, name = `job-${++fileCount}.yaml`) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const failure = (text: string, file = "jobs/bad.yaml") => Effect.runPromise(Effect.flip(parseJobText(text, file)))

const problemAt = (error: JobInvalid, path: string): JobProblem | undefined =>
  error.problems.find((problem) => problem.path === path)

/** The example of CONTRACTS.md, "Job file (YAML)". */
const contractExample = `niche: naf_6202A_idf              # names the run folder
profile: standard                  # or a path to a profile file
filters:
  naf_include: ["62.02A", "62.01"] # exact sub-class or a prefix ("62", "62.0"); NAFRev2 rows only
  naf_exclude: []
  departments: ["75", "92", "2A", "971"]   # from codeCommuneEtablissement
  regions: ["11"]                  # INSEE region codes
  headcount: ["11", "12", "21"]    # trancheEffectifs codes
  active_only: true                # establishment A and legal unit A
  created_after: "2015-01-01"
kpi_targets: { min_quality_score: 80, min_lines_per_s: 50, max_duplicate_rate: 0.01, min_fill_rates: { website: 0.5 } }
budgets: { max_http_requests: 2000, max_http_bytes: 52428800, max_wall_time_min: 90, max_ram_mb: 1024 }
http: { proxy: "http://127.0.0.1:8899", per_host_concurrency: 2, per_host_rps: 1, respect_robots: true, user_agents: [] }
premium: { min_quality_score: 80 }
plugins: ["./my-plugin", "@acme/filon-plugin-x"]
suppression_list: "./optout.csv"   # emails, domains or SIRENs that objected
`

describe("job loading", () => {
  it("decodes every key of the contract example", async () => {
    const job = await Effect.runPromise(loadJob(writeJob(contractExample)))
    expect(job.niche).toBe("naf_6202A_idf")
    expect(job.profile).toBe("standard")
    expect(job.filters?.naf_include).toEqual(["62.02A", "62.01"])
    expect(job.filters?.departments).toEqual(["75", "92", "2A", "971"])
    expect(job.filters?.headcount).toEqual(["11", "12", "21"])
    expect(job.filters?.active_only).toBe(true)
    expect(job.filters?.created_after).toBe("2015-01-01")
    expect(job.kpi_targets?.min_fill_rates).toEqual({ website: 0.5 })
    expect(job.budgets?.max_http_bytes).toBe(52428800)
    expect(job.http?.proxy).toBe("http://127.0.0.1:8899")
    expect(job.premium?.min_quality_score).toBe(80)
    expect(job.plugins).toEqual(["./my-plugin", "@acme/filon-plugin-x"])
    expect(job.suppression_list).toBe("./optout.csv")
  })

  it("accepts a job with only a niche", async () => {
    const job = await Effect.runPromise(parseJobText("niche: plumbers.75\n", "minimal.yaml"))
    expect(job).toEqual({ niche: "plumbers.75" })
  })

  it("accepts the job as JSON text", async () => {
    const job = await Effect.runPromise(parseJobText(`{ "niche": "x", "filters": { "regions": ["11"] } }`, "job.json"))
    expect(job.filters?.regions).toEqual(["11"])
  })

  it("accepts a proxy as one URL or as a list of URLs", async () => {
    const one = await Effect.runPromise(
      parseJobText(`niche: x\nhttp: { proxy: "socks5://127.0.0.1:1080" }\n`, "a.yaml")
    )
    const many = await Effect.runPromise(
      parseJobText(`niche: x\nhttp:\n  proxy: ["http://p1:8080", "https://p2:8443"]\n`, "b.yaml")
    )
    expect(one.http?.proxy).toBe("socks5://127.0.0.1:1080")
    expect(many.http?.proxy).toEqual(["http://p1:8080", "https://p2:8443"])
  })

  it("keeps per-step config values as given, for each step to check", async () => {
    const job = await Effect.runPromise(
      parseJobText(`niche: x\nconfig:\n  enrich.email: { check_mx: false, anything: [1, 2] }\n`, "c.yaml")
    )
    expect(job.config).toEqual({ "enrich.email": { check_mx: false, anything: [1, 2] } })
  })

  it("reports a missing file as an invalid job naming the file", async () => {
    const file = join(dir, "does-not-exist.yaml")
    const error = await Effect.runPromise(Effect.flip(loadJob(file)))
    expect(error).toBeInstanceOf(JobInvalid)
    expect(error.file).toBe(file)
    expect(error.problems).toEqual([{ path: "(file)", expected: "an existing job file", got: "no such file" }])
    expect(error.message).toContain(file)
  })

  it("reports an empty file", async () => {
    const error = await Effect.runPromise(Effect.flip(loadJob(writeJob("# only a comment\n"))))
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]?.got).toBe("an empty file")
  })

  it("reports a top level that is not a mapping", async () => {
    const error = await failure("- niche\n- x\n")
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]?.path).toBe("(file)")
    expect(error.problems[0]?.expected).toContain("a mapping of job keys")
  })

  it("reports a YAML syntax error with its line and the parser's message", async () => {
    const error = await failure("niche: x\nfilters:\n\tnaf_include: []\n")
    expect(error.problems).toHaveLength(1)
    const [problem] = error.problems
    expect(problem?.path).toBe("(file)")
    expect(problem?.expected).toBe("valid YAML")
    expect(problem?.line).toBe(3)
    expect(problem?.got).toBe("Tabs are not allowed as indentation")
    expect(error.message).toContain("jobs/bad.yaml:3")
  })

  it("reports a duplicated key as a YAML error on its line", async () => {
    const error = await failure("niche: x\nprofile: quick\nniche: y\n")
    expect(error.problems[0]?.line).toBe(3)
    expect(error.problems[0]?.got).toContain("unique")
  })
})

describe("job validation", () => {
  it("names the file, line, key path and expected value for a bad NAF code", async () => {
    const error = await failure(`niche: x\nfilters:\n  naf_include:\n    - "62.02A"\n    - "6202"\n`)
    expect(error.problems).toEqual([
      {
        path: "filters.naf_include[1]",
        line: 5,
        expected: `a NAF code such as "62.02A" or a prefix such as "62"`,
        got: `"6202"`
      }
    ])
    expect(error.message).toBe(
      [
        "job file jobs/bad.yaml is invalid (1 problem):",
        `  jobs/bad.yaml:5  filters.naf_include[1]: expected a NAF code such as "62.02A" or a prefix such as "62", got "6202"`
      ].join("\n")
    )
  })

  it("accepts NAF prefixes of every documented length", async () => {
    const job = await Effect.runPromise(
      parseJobText(`niche: x\nfilters: { naf_exclude: ["62", "62.0", "62.01", "62.02A"] }`, "n.yaml")
    )
    expect(job.filters?.naf_exclude).toHaveLength(4)
  })

  it("rejects a value of the wrong type", async () => {
    const error = await failure(`niche: x\nfilters:\n  active_only: "yes"\n  departments: "75"\n`)
    expect(problemAt(error, "filters.active_only")).toMatchObject({ line: 3, expected: "true or false", got: `"yes"` })
    expect(problemAt(error, "filters.departments")).toMatchObject({ line: 4, expected: "a list of department codes" })
  })

  it("rejects numbers out of range and fractions where whole numbers are expected", async () => {
    const error = await failure(
      "niche: x\nbudgets: { max_http_requests: -1, max_http_bytes: 1.5, max_ram_mb: 0 }\nkpi_targets: { max_duplicate_rate: 2 }\n"
    )
    expect(problemAt(error, "budgets.max_http_requests")).toMatchObject({ expected: "a whole number >= 0", got: "-1" })
    expect(problemAt(error, "budgets.max_http_bytes")).toMatchObject({ expected: "a whole number >= 0", got: "1.5" })
    expect(problemAt(error, "budgets.max_ram_mb")).toMatchObject({ expected: "a number > 0", got: "0" })
    expect(problemAt(error, "kpi_targets.max_duplicate_rate")).toMatchObject({
      line: 3,
      expected: "a number from 0 to 1",
      got: "2"
    })
  })

  it("rejects a bad department code", async () => {
    const error = await failure(`niche: x\nfilters: { departments: ["75", "96", "2A"] }\n`)
    expect(error.problems).toEqual([
      {
        path: "filters.departments[1]",
        line: 2,
        expected: `a department code such as "75", "2A" or "971"`,
        got: `"96"`
      }
    ])
  })

  it("rejects an unknown headcount band, listing the known ones", async () => {
    const error = await failure(`niche: x\nfilters: { headcount: ["NN", "99"] }\n`)
    expect(problemAt(error, "filters.headcount[1]")?.expected).toStartWith("one of NN, 00, 01, 02")
  })

  it("rejects a date that is not YYYY-MM-DD and a date that does not exist", async () => {
    const badFormat = await failure(`niche: x\nfilters: { created_after: "01/02/2015" }\n`)
    expect(problemAt(badFormat, "filters.created_after")?.expected).toBe("a date YYYY-MM-DD")
    const notReal = await failure(`niche: x\nfilters: { created_after: "2023-02-30" }\n`)
    expect(problemAt(notReal, "filters.created_after")).toMatchObject({
      expected: "a real calendar date YYYY-MM-DD",
      got: `"2023-02-30"`
    })
  })

  it("rejects a niche that cannot name a folder", async () => {
    const error = await failure(`niche: "../etc"\n`)
    expect(error.problems).toEqual([
      { path: "niche", line: 1, expected: "a folder-safe name (letters, digits, _ . -)", got: `"../etc"` }
    ])
  })

  it("reports a missing niche, naming what is required", async () => {
    const error = await failure("profile: quick\n")
    expect(error.problems).toEqual([
      { path: "niche", line: 1, expected: "a folder-safe name (letters, digits, _ . -)" }
    ])
    expect(error.message).toContain("niche: missing, expected a folder-safe name")
  })

  it("suggests the closest key for an unknown root key", async () => {
    const error = await failure("niche: x\n\nbudget: { max_ram_mb: 512 }\n")
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toMatchObject({ path: "budget", line: 3, suggestion: "budgets" })
    expect(error.message).toContain(`jobs/bad.yaml:3  budget: unknown key (did you mean "budgets"?)`)
  })

  it("suggests the closest key for an unknown nested key", async () => {
    const error = await failure(`niche: x\nfilters:\n  naf_include: ["62"]\n  naf_inclde: ["63"]\n`)
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toMatchObject({ path: "filters.naf_inclde", line: 4, suggestion: "naf_include" })
  })

  it("lists the known keys when no key is close to an unknown one", async () => {
    const error = await failure("niche: x\npremium: { colour: blue }\n")
    expect(error.problems[0]?.suggestion).toBeUndefined()
    expect(error.message).toContain("premium.colour: unknown key (known keys: min_quality_score)")
  })

  it("reports every problem of the file at once, in file order", async () => {
    const error = await failure(
      [
        "niche: x",
        "filters:",
        "  naf_include:",
        '    - "62.02A"',
        '    - "6202"',
        "  created_after: 2023-02-30",
        "http:",
        '  proxy: ["http://ok:1", "ftp://bad"]',
        "budget: {}"
      ].join("\n")
    )
    expect(error.problems.map((problem) => [problem.line, problem.path])).toEqual([
      [5, "filters.naf_include[1]"],
      [6, "filters.created_after"],
      [8, "http.proxy[1]"],
      [9, "budget"]
    ])
    expect(error.message.split("\n")[0]).toBe("job file jobs/bad.yaml is invalid (4 problems):")
  })

  it("rejects a proxy with another scheme or an empty proxy list", async () => {
    const scheme = await failure(`niche: x\nhttp: { proxy: "ftp://127.0.0.1:21" }\n`)
    expect(problemAt(scheme, "http.proxy")?.expected).toContain("http:, https: or socks5:")
    const empty = await failure("niche: x\nhttp: { proxy: [] }\n")
    expect(problemAt(empty, "http.proxy")).toMatchObject({ expected: "a non-empty list of proxy URLs", got: "[]" })
    const number = await failure("niche: x\nhttp: { proxy: 8080 }\n")
    expect(problemAt(number, "http.proxy")?.expected).toContain("or a non-empty list of them")
  })

  it("cuts long values in reports", async () => {
    const error = await failure(`niche: "${"x ".repeat(100)}"\n`)
    expect(error.problems[0]?.got?.length).toBe(60)
    expect(error.problems[0]?.got).toEndWith("…")
  })

  it("locates problems in an already parsed job when given its text", async () => {
    const text = "niche: x\nbudgets:\n  max_ram_mb: -5\n"
    const error = await Effect.runPromise(
      Effect.flip(decodeJob({ niche: "x", budgets: { max_ram_mb: -5 } }, { file: "job.yaml", text }))
    )
    expect(error.problems).toEqual([{ path: "budgets.max_ram_mb", line: 3, expected: "a number > 0", got: "-5" }])
    const withoutText = await Effect.runPromise(Effect.flip(decodeJob({ niche: "x", extra: 1 }, { file: "job.json" })))
    expect(withoutText.problems).toEqual([expect.objectContaining({ path: "extra" })])
    expect(withoutText.problems[0]?.line).toBeUndefined()
  })
})

describe("job documentation", () => {
  it("lists every documented key path", () => {
    expect(jobKeyPaths).toContain("niche")
    expect(jobKeyPaths).toContain("filters.naf_include")
    expect(jobKeyPaths).toContain("kpi_targets.min_fill_rates")
    expect(jobKeyPaths).toContain("http.proxy")
    expect(jobKeyPaths).toContain("suppression_list")
    expect(jobKeyPaths).toContain("config")
  })
})

describe("closestMatch", () => {
  it("suggests a key one typo away", () => {
    expect(closestMatch("budget", ["niche", "budgets", "http"])).toBe("budgets")
    expect(closestMatch("naf_inclde", ["naf_include", "naf_exclude"])).toBe("naf_include")
  })

  it("counts a swap of two adjacent letters as one edit", () => {
    expect(closestMatch("nihce", ["niche", "profile"])).toBe("niche")
  })

  it("ignores case and the difference between - and _", () => {
    expect(closestMatch("NAF-INCLUDE", ["naf_include"])).toBe("naf_include")
    expect(closestMatch("max_ram_mb", ["max-ram-mb"])).toBe("max-ram-mb")
  })

  it("suggests nothing when every candidate is far", () => {
    expect(closestMatch("colour", ["min_quality_score"])).toBeUndefined()
    expect(closestMatch("x", [])).toBeUndefined()
  })
})
