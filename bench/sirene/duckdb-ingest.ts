/**
 * The reference run of bench/ingest.bench.ts: DuckDB (its default threads) doing the same filter,
 * join and Parquet write as Filon's `quick` ingest, on the same files.
 * usage: bun bench/sirene/duckdb-ingest.ts DIR OUT.parquet NAF_PREFIX
 */
import { DuckDBInstance } from "@duckdb/node-api"

const [dir, out, naf] = process.argv.slice(2)
if (!dir || !out || !naf) throw new Error("usage: bun bench/sirene/duckdb-ingest.ts DIR OUT.parquet NAF_PREFIX")

const instance = await DuckDBInstance.create(":memory:")
const connection = await instance.connect()
// ignore_errors skips the malformed lines the generator plants, as Filon rejects them.
const csv = (file: string) =>
  `read_csv('${dir}/${file}', header = true, all_varchar = true, ignore_errors = true, quote = '"', escape = '"')`
await connection.run(`
  COPY (
    SELECT e.*, u.* EXCLUDE (siren, dateDebut)
    FROM ${csv("StockEtablissement_utf8.csv")} AS e
    JOIN ${csv("StockUniteLegale_utf8.csv")} AS u USING (siren)
    WHERE e.nomenclatureActivitePrincipaleEtablissement = 'NAFRev2'
      AND starts_with(e.activitePrincipaleEtablissement, '${naf}')
      AND e.etatAdministratifEtablissement = 'A'
      AND u.etatAdministratifUniteLegale = 'A'
    ORDER BY e.siret
  ) TO '${out}' (FORMAT parquet)
`)
const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${out}')`)
console.log(JSON.stringify({ rows: Number(reader.getRowObjects()[0]?.n ?? 0) }))
