/**
 * Why the two engines of bench/ingest.bench.ts keep different row counts: the SIRETs one output has and
 * the other has not, each matched to the reason Filon set it aside in its rejects file. DuckDB's reference
 * query reads leniently (it checks no SIRET checksum, and reads a row with a stray byte or a missing
 * legal-unit field as it is); Filon rejects those rows with a reason. `unexplained` must be 0.
 * usage: bun bench/sirene/kept-difference.ts FILON_RUN_DIR DUCKDB_OUT.parquet
 */
import { DuckDBInstance } from "@duckdb/node-api"

const [runDir, duckdbOut] = process.argv.slice(2)
if (!runDir || !duckdbOut)
  throw new Error("usage: bun bench/sirene/kept-difference.ts FILON_RUN_DIR DUCKDB_OUT.parquet")

const connection = await (await DuckDBInstance.create(":memory:")).connect()
const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjects()
const rejects = `read_csv('${runDir}/normalized/rejects.csv', header = true, all_varchar = true, quote = '"', escape = '"')`
const filon = `(SELECT siret FROM read_parquet('${runDir}/dataset.parquet'))`
const duckdb = `(SELECT siret FROM read_parquet('${duckdbOut}'))`
const onlyDuckdb = await rows(`
  SELECT coalesce(r.reason, 'unexplained') AS reason, count(*) AS n
  FROM ${duckdb} AS d
  LEFT JOIN (SELECT DISTINCT ON (siret) siret, reason FROM ${rejects} WHERE siret IS NOT NULL) AS r USING (siret)
  WHERE d.siret NOT IN (SELECT siret FROM ${filon})
  GROUP BY ALL ORDER BY n DESC, reason`)
const onlyFilon = await rows(`SELECT count(*) AS n FROM ${filon} WHERE siret NOT IN (SELECT siret FROM ${duckdb})`)
const byReason = Object.fromEntries(onlyDuckdb.map((row) => [String(row.reason), Number(row.n)]))
console.log(
  JSON.stringify({
    only_duckdb: Object.values(byReason).reduce((sum, n) => sum + n, 0),
    only_filon: Number(onlyFilon[0]?.n ?? 0),
    by_reason: byReason,
    unexplained: byReason.unexplained ?? 0
  })
)
