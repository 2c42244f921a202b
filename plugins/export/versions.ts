/**
 * Code and data versions for the manifest: Filon's own version and those of the reference-data
 * packages whose content ends up in the dataset (NAF labels, administrative divisions).
 */
import { readFile } from "node:fs/promises"
import { projectPath } from "../../core/ProjectRoot.ts"

const versionOf = async (packageJson: string) => {
  try {
    return (JSON.parse(await readFile(packageJson, "utf8")) as { version?: string }).version ?? null
  } catch {
    return null
  }
}

/** Reference data read at run time: their versions decide labels and region names in the dataset. */
const DATA_PACKAGES = ["@socialgouv/codes-naf", "@etalab/decoupage-administratif"]

export const codeVersions = async () => ({
  filon: await versionOf(projectPath("package.json")),
  bun: Bun.version,
  data: Object.fromEntries(
    await Promise.all(
      DATA_PACKAGES.map(async (name) => [name, await versionOf(projectPath("node_modules", name, "package.json"))])
    )
  )
})
