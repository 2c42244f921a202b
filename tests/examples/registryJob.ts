/**
 * The example plugin's own job, run on the bundled SIRENE sample by a real `filon` process, with
 * INSEE's API played by a stub on loopback (the key is the stub's).
 */
import { join } from "node:path"
import type { SireneStub } from "../../examples/filon-plugin-registry-api/tests/stub.ts"
import { type CliEntry, type CliResult, repoRoot, spawnCli } from "../cli/support.ts"

export const EXAMPLE = join(repoRoot, "examples", "filon-plugin-registry-api")
export const REGISTRY_JOB = join(EXAMPLE, "jobs", "registry.job.yaml")
export const SAMPLE = join(repoRoot, "plugins", "sirene", "sample")

export const runRegistryJob = (out: string, stub: SireneStub, key: string, entry?: CliEntry): Promise<CliResult> =>
  spawnCli(
    [
      "run-profile",
      "--job",
      REGISTRY_JOB,
      "--input",
      SAMPLE,
      "--out",
      out,
      "--set",
      "enrich.registry.requests_per_minute=60000",
      "--json"
    ],
    {
      ...(entry ? { entry } : {}),
      env: { FILON_INSEE_BASE_URL: stub.baseUrl, FILON_INSEE_API_KEY: key, FILON_DATA_DIR: join(out, "data") }
    }
  )
