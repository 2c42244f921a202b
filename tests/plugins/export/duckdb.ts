/** Runs one SQL query in a fresh in-memory DuckDB (the engine dataset users and the benchmark read with). */
import { DuckDBInstance } from "@duckdb/node-api"

export const duckdb = async (sql: string) => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson()
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/** A path quoted as a SQL string literal. */
export const sqlPath = (path: string) => `'${path.replaceAll("'", "''")}'`
