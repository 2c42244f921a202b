/**
 * A run's metrics from the CLI: /metrics served while the run lasts (--prometheus-port), and a push
 * to a Pushgateway at its end (--pushgateway, or the config's metrics.pushgateway), here a stub on
 * loopback that records what it receives.
 */
import { afterAll, afterEach, describe, expect, it } from "bun:test"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import YAML from "yaml"
import { runCli, tempDirs, testJob, writeJob } from "./support.ts"

const temp = tempDirs("metrics")
afterAll(temp.cleanup)

const servers: Array<ReturnType<typeof Bun.serve>> = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop(true)
})

/** A job (with its own niche) whose profile is a source slow enough to scrape during the run. */
const slowJob = (dir: string, niche: string, delayMs: number) => {
  const profile = join(dir, "slow_source.yaml")
  writeFileSync(
    profile,
    YAML.stringify({
      description: "a slow source and one transform",
      steps: ["test.source", "test.upper"],
      config: { "test.source": { rows: 200, chunk: 10, delay_ms: delayMs } }
    })
  )
  return writeJob(dir, testJob({ niche, profile }))
}

const freePort = () => {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() })
  const port = probe.port
  probe.stop(true)
  return port
}

interface Push {
  readonly method: string
  readonly path: string
  readonly authorization: string | null
  readonly body: string
}

/** A stub Pushgateway that records each push and answers `status`. */
const stubGateway = (status = 200) => {
  const pushes: Push[] = []
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      pushes.push({
        method: request.method,
        path: new URL(request.url).pathname,
        authorization: request.headers.get("authorization"),
        body: await request.text()
      })
      return new Response(status === 200 ? "" : "bad push: user s3cret", { status })
    }
  })
  servers.push(server)
  return { pushes, url: (auth = "") => `http://${auth}127.0.0.1:${server.port}/` }
}

describe("--prometheus-port", () => {
  it("serves /metrics while the run lasts, with the run in progress, and closes it at the end", async () => {
    const dir = temp.make("scrape")
    const port = freePort()
    const running = runCli([
      "run-profile",
      "--job",
      slowJob(dir, "cli_scrape", 100),
      "--out",
      join(dir, "out"),
      "--prometheus-port",
      String(port)
    ])
    let scraped = ""
    for (let attempt = 0; attempt < 100 && !scraped.includes('pipeline_runs_running{niche="cli_scrape"'); attempt++) {
      await Bun.sleep(50)
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined)
      if (response?.ok) scraped = await response.text()
    }
    expect(scraped).toContain('pipeline_runs_running{niche="cli_scrape",profile="slow_source"} 1')
    expect(scraped).toMatch(/pipeline_budget_used\{niche="cli_scrape",budget="wall_time"\} [\d.e-]+/)
    expect(scraped).toContain("# TYPE pipeline_step_duration_seconds histogram")
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)

    const result = await running
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`metrics: http://127.0.0.1:${port}/metrics while the run lasts`)
    expect(
      await fetch(`http://127.0.0.1:${port}/metrics`).then(
        () => "open",
        () => "closed"
      )
    ).toBe("closed")
  })

  it("refuses a port it cannot listen on before running anything (exit 2)", async () => {
    const dir = temp.make("busy")
    const busy = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() })
    servers.push(busy)
    const out = join(dir, "out")
    const result = await runCli([
      "run-profile",
      "--job",
      slowJob(dir, "cli_busy", 0),
      "--out",
      out,
      "--prometheus-port",
      String(busy.port)
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`--prometheus-port ${busy.port}`)
    expect(existsSync(join(out, "state"))).toBe(false)
  })
})

describe("--pushgateway", () => {
  it("pushes the run's metrics at the end under job filon, grouped by niche and profile, with the URL's credentials as basic auth", async () => {
    const dir = temp.make("push")
    const gateway = stubGateway()
    const result = await runCli([
      "run-profile",
      "--job",
      slowJob(dir, "cli_push", 0),
      "--out",
      join(dir, "out"),
      "--pushgateway",
      gateway.url("user:s3cret@")
    ])
    expect(result.code).toBe(0)
    expect(gateway.pushes).toHaveLength(1)
    const [push] = gateway.pushes
    expect(push?.method).toBe("PUT")
    expect(push?.path).toBe("/metrics/job/filon/niche/cli_push/profile/slow_source")
    expect(push?.authorization).toBe(`Basic ${btoa("user:s3cret")}`)
    expect(push?.body).toContain('pipeline_runs_total{niche="cli_push",profile="slow_source",status="succeeded"} 1')
    expect(push?.body).toContain('pipeline_step_status_total{step="test.upper",status="done"}')
    expect(result.stderr).toContain("metrics pushed to")
    expect(result.stderr).not.toContain("s3cret")
  })

  it("takes the Pushgateway from the config file when the flag is not given", async () => {
    const dir = temp.make("push-config")
    const gateway = stubGateway()
    const config = join(dir, "config.yaml")
    writeFileSync(config, YAML.stringify({ metrics: { pushgateway: gateway.url() } }))
    const result = await runCli([
      "run-profile",
      "--job",
      slowJob(dir, "cli_push_config", 0),
      "--out",
      join(dir, "out"),
      "--config",
      config
    ])
    expect(result.code).toBe(0)
    expect(gateway.pushes.map((push) => push.path)).toEqual([
      "/metrics/job/filon/niche/cli_push_config/profile/slow_source"
    ])
  })

  it("warns when the push fails, without failing the run or printing the credentials", async () => {
    const dir = temp.make("push-fails")
    const refusing = stubGateway(500)
    const refused = await runCli([
      "run-profile",
      "--job",
      slowJob(dir, "cli_push_refused", 0),
      "--out",
      join(dir, "out"),
      "--json",
      "--pushgateway",
      refusing.url("user:s3cret@")
    ])
    expect(refused.code).toBe(0)
    expect(JSON.parse(refused.stdout).status).toBe("succeeded")
    expect(refused.stderr).toContain("warning: could not push the run's metrics to http://***@127.0.0.1:")
    expect(refused.stderr).toContain("status 500")
    expect(refused.stderr).not.toContain("s3cret")

    const unreachable = await runCli([
      "run-profile",
      "--job",
      slowJob(dir, "cli_push_unreachable", 0),
      "--out",
      join(dir, "out2"),
      "--pushgateway",
      `http://user:s3cret@127.0.0.1:${freePort()}/`
    ])
    expect(unreachable.code).toBe(0)
    expect(unreachable.stderr).toContain("warning: could not push")
    expect(unreachable.stderr).not.toContain("s3cret")
  })

  it("refuses an address that is not an http(s) URL before the run (exit 2), without echoing it", async () => {
    const dir = temp.make("push-bad")
    const out = join(dir, "out")
    const result = await runCli([
      "run-profile",
      "--job",
      slowJob(dir, "cli_push_bad", 0),
      "--out",
      out,
      "--pushgateway",
      "ftp://user:s3cret@gateway"
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--pushgateway")
    expect(result.stderr).not.toContain("s3cret")
    expect(existsSync(join(out, "state"))).toBe(false)
  })
})
