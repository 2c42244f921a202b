import { afterEach, beforeEach, describe, expect, it } from "bun:test"
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { TEMP_MARKER } from "../../core/AtomicFile.ts"
import type { Rec } from "../../core/Record.ts"
import { mergeRecords, readRecords, writeRecords } from "../../core/RecordFile.ts"

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "filon-recordfile-"))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const siret = (n: number) => String(n).padStart(14, "0")
const collect = <E>(stream: Stream.Stream<Rec, E>) =>
  Effect.runPromise(Stream.runCollect(stream).pipe(Effect.map(Chunk.toReadonlyArray)))
const write = (path: string, records: ReadonlyArray<Rec>, options?: Parameters<typeof writeRecords>[2]) =>
  Effect.runPromise(writeRecords(path, Stream.fromIterable(records), options))
const lines = (records: ReadonlyArray<Rec>) => records.map((record) => `${JSON.stringify(record)}\n`).join("")
const temps = async (...dirs: ReadonlyArray<string>) =>
  (await Promise.all(dirs.map((d) => readdir(d)))).flat().filter((name) => name.includes(TEMP_MARKER))
const byKeyStable = (records: ReadonlyArray<Rec>) =>
  records
    .map((record, i) => ({ record, i }))
    .sort((a, b) => {
      const x = String(a.record.siret ?? "")
      const y = String(b.record.siret ?? "")
      return x < y ? -1 : x > y ? 1 : a.i - b.i
    })
    .map(({ record }) => record)

describe("record files", () => {
  it("reads back exactly the records it wrote", async () => {
    const records = Array.from({ length: 50 }, (_, i) => ({
      siret: siret(i),
      name: `Société ${i}`,
      n: i,
      ok: i % 2 === 0
    }))
    const path = join(dir, "out.jsonl")
    await write(path, records)
    expect(await collect(readRecords(path))).toEqual(records)
  })

  it("writes sorted input as is, byte-identical across writes", async () => {
    const records = Array.from({ length: 120 }, (_, i) => ({ siret: siret(i), city: "Lyon", z: null, a: [i] }))
    const first = await write(join(dir, "a.jsonl"), records)
    const second = await write(join(dir, "b.jsonl"), records)
    const a = await readFile(join(dir, "a.jsonl"), "utf8")
    expect(a).toBe(lines(records))
    expect(await readFile(join(dir, "b.jsonl"), "utf8")).toBe(a)
    expect(second).toEqual(first)
  })

  it("sorts unsorted input externally and keeps equal keys in input order", async () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ siret: siret((i * 37) % 13), seq: i }))
    const tmpDir = join(dir, "spill")
    const path = join(dir, "sorted.jsonl")
    const contract = await write(path, records, { chunkRows: 7, tmpDir })
    expect(await collect(readRecords(path))).toEqual(byKeyStable(records))
    expect(contract.rows).toBe(100)
    expect(await temps(dir, tmpDir)).toEqual([])
  })

  it("sorts an input whose sorted prefix is followed by disorder, through several merge passes", async () => {
    const prefix = Array.from({ length: 30 }, (_, i) => ({ siret: siret(i * 10), seq: i }))
    const rest = Array.from({ length: 1000 }, (_, i) => ({ siret: siret((i * 7919) % 400), seq: 30 + i }))
    const records = [...prefix, ...rest]
    const path = join(dir, "big.jsonl")
    await write(path, records, { chunkRows: 7 })
    expect(await readFile(path, "utf8")).toBe(lines(byKeyStable(records)))
    expect(await temps(dir)).toEqual([])
  })

  it("sorts runs larger than its write buffers", async () => {
    const payload = "données ".repeat(60)
    const records = Array.from({ length: 4000 }, (_, i) => ({ siret: siret((i * 7919) % 1000), i, payload }))
    const path = join(dir, "large-runs.jsonl")
    await write(path, records, { chunkRows: 3000 })
    expect(await readFile(path, "utf8")).toBe(lines(byKeyStable(records)))
  })

  it("sorts records without a key first and honours another key field", async () => {
    const records = [{ id: "b" }, { id: null, x: 1 }, { id: "a" }, { x: 2 }]
    const path = join(dir, "keyed.jsonl")
    await write(path, records, { key: "id", chunkRows: 2 })
    expect(await collect(readRecords(path))).toEqual([{ id: null, x: 1 }, { x: 2 }, { id: "a" }, { id: "b" }])
  })

  it("sorts keys holding tabs, newlines, quotes, NUL, lone surrogates and non-ASCII characters by code unit", async () => {
    const keys = ['"q', "a\tb", "a", "a\u0000", "b\nc", "é", "😀", "", "Z", "a\u0000", "\u0000", "\ud800x", "\udfff"]
    const records = keys.map((siret, seq) => ({ siret, seq }))
    for (const withNul of [true, false]) {
      const input = withNul ? records : records.filter((record) => !record.siret.includes("\u0000"))
      const path = join(dir, `odd-${withNul}.jsonl`)
      await write(path, input, { chunkRows: 3 })
      expect(await collect(readRecords(path))).toEqual(byKeyStable(input))
    }
  })

  it("writes a stream of one-record chunks", async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ siret: siret((i * 7) % 30), i }))
    const path = join(dir, "single.jsonl")
    const stream = Stream.fromIterable(records).pipe(Stream.rechunk(1))
    await Effect.runPromise(writeRecords(path, stream, { chunkRows: 4 }))
    expect(await collect(readRecords(path))).toEqual(byKeyStable(records))
  })

  it("leaves no target and no temp file when the stream fails", async () => {
    const tmpDir = join(dir, "spill")
    for (const records of [
      Array.from({ length: 40 }, (_, i) => ({ siret: siret(i) })),
      Array.from({ length: 40 }, (_, i) => ({ siret: siret(40 - i) }))
    ]) {
      const path = join(dir, "failed.jsonl")
      const stream = Stream.concat(Stream.fromIterable(records), Stream.fail("boom" as const))
      const error = await Effect.runPromise(Effect.flip(writeRecords(path, stream, { chunkRows: 7, tmpDir })))
      expect(error).toBe("boom")
      expect(await Bun.file(path).exists()).toBe(false)
      expect(await temps(dir, tmpDir)).toEqual([])
    }
  })

  it("leaves no target and no temp file when interrupted mid-stream", async () => {
    const tmpDir = join(dir, "spill")
    const path = join(dir, "interrupted.jsonl")
    await Effect.runPromise(
      Effect.gen(function* () {
        const reached = yield* Deferred.make<void>()
        const records = Array.from({ length: 40 }, (_, i) => ({ siret: siret(40 - i) }))
        const stream = Stream.concat(
          Stream.fromIterable(records),
          Stream.fromEffect(Deferred.succeed(reached, undefined).pipe(Effect.zipRight(Effect.never)))
        )
        const fiber = yield* Effect.fork(writeRecords(path, stream, { chunkRows: 7, tmpDir }))
        yield* Deferred.await(reached)
        expect((yield* Effect.promise(() => temps(dir, tmpDir))).length).toBeGreaterThan(1)
        yield* Fiber.interrupt(fiber)
      })
    )
    expect(await Bun.file(path).exists()).toBe(false)
    expect(await temps(dir, tmpDir)).toEqual([])
  })

  it("reports rows, bytes, sha256 and the sorted union of fields", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<Rec>, ReadonlyArray<string>]> = [
      [
        [
          { siret: siret(1), b: 1 },
          { siret: siret(2), a: "x", skipped: undefined }
        ],
        ["a", "b", "siret"]
      ],
      [
        [
          { siret: siret(2), a: "x" },
          { siret: siret(1), b: 1, c: [] }
        ],
        ["a", "b", "c", "siret"]
      ]
    ]
    for (const [records, fields] of cases) {
      const path = join(dir, "contract.jsonl")
      const contract = await write(path, records, { chunkRows: 1 })
      const bytes = await Bun.file(path).bytes()
      expect(contract).toEqual({
        rows: 2,
        bytes: bytes.byteLength,
        sha256: new Bun.CryptoHasher("sha256").update(bytes).digest("hex"),
        fields
      })
    }
  })

  it("decodes multi-byte characters split across read chunks", async () => {
    const records = [
      { siret: siret(1), name: "Crème brûlée" },
      { siret: siret(2), text: `${"é".repeat(40_000)}${"😀".repeat(20_000)}é` },
      { siret: siret(3), text: "naïve 😀".repeat(20_000) }
    ]
    const path = join(dir, "utf8.jsonl")
    await write(path, records)
    const bytes = await Bun.file(path).bytes()
    const continuation = (offset: number) => ((bytes[offset] ?? 0) & 0xc0) === 0x80
    expect(continuation(64 * 1024) || continuation(2 * 64 * 1024)).toBe(true)
    expect(await collect(readRecords(path))).toEqual(records)
  })

  it("reads a last line without newline and skips empty lines", async () => {
    const path = join(dir, "loose.jsonl")
    await writeFile(path, '{"siret":"1"}\n\n{"siret":"2"}')
    expect(await collect(readRecords(path))).toEqual([{ siret: "1" }, { siret: "2" }])
  })

  it("fails with BadJson and the 1-based line of a broken record", async () => {
    const path = join(dir, "bad.jsonl")
    await writeFile(path, '{"siret":"1"}\n\n{"siret":\n')
    const error = await Effect.runPromise(Effect.flip(Stream.runDrain(readRecords(path))))
    expect(error).toMatchObject({ _tag: "RecordFileError", reason: "BadJson", line: 3, path })
    expect(error.message).toStartWith(`invalid JSON record at ${path}:3: `)
    await writeFile(path, '{"siret":"1"}\n[1]\n')
    expect(await Effect.runPromise(Effect.flip(Stream.runDrain(readRecords(path))))).toMatchObject({ line: 2 })
  })

  it("reads what the JSONL parser would accept differently exactly as the line path does", async () => {
    const path = join(dir, "shapes.jsonl")
    const failure = async (content: string) => {
      await writeFile(path, content)
      return Effect.runPromise(Effect.flip(Stream.runDrain(readRecords(path))))
    }
    // A value spread over two lines, two values on one line, a value that is not an object.
    expect(await failure('{"siret":"1"}\n{"siret":\n"2"}\n')).toMatchObject({ reason: "BadJson", line: 2 })
    expect(await failure('{"siret":"1"} {"siret":"2"}\n')).toMatchObject({ reason: "BadJson", line: 1 })
    expect(await failure('{"siret":"1"}\nnull\n')).toMatchObject({ reason: "BadJson", line: 2 })
    expect(await failure('{"siret":"1"}\n{"siret":"2"')).toMatchObject({ reason: "BadJson", line: 2 })
    // CRLF line ends and a blank line among thousands of records.
    const many = Array.from({ length: 5_000 }, (_, i) => ({ siret: siret(i), text: "x".repeat(i % 300) }))
    const crlf = many.map((record) => `${JSON.stringify(record)}\r\n`)
    crlf.splice(2_500, 0, "\n")
    await writeFile(path, crlf.join(""))
    expect(await collect(readRecords(path))).toEqual(many)
  })

  it("numbers lines across read buffers and reads a record longer than a buffer", async () => {
    const path = join(dir, "long.jsonl")
    const records = Array.from({ length: 30_000 }, (_, i) => ({ siret: siret(i), text: "y".repeat(i % 100) }))
    records.splice(100, 0, { siret: siret(100), text: "z".repeat(3 * 1048576) })
    await writeFile(path, lines(records))
    expect(await collect(readRecords(path))).toEqual(records)
    // A broken record far past the first megabyte reports its own line.
    await writeFile(path, `${lines(records.slice(0, 20_000))}{"siret":}\n${lines(records.slice(20_000))}`)
    const error = await Effect.runPromise(Effect.flip(Stream.runDrain(readRecords(path))))
    expect(error).toMatchObject({ reason: "BadJson", line: 20_001 })
  })

  it("fails with Unreadable on invalid UTF-8", async () => {
    const path = join(dir, "latin1.jsonl")
    await writeFile(
      path,
      Buffer.concat([Buffer.from('{"siret":"1"}\n{"name":"'), Buffer.from([0xe9]), Buffer.from('"}\n')])
    )
    const error = await Effect.runPromise(Effect.flip(Stream.runDrain(readRecords(path))))
    expect(error).toMatchObject({ reason: "Unreadable", path })
  })

  it("fails with Unreadable on a missing file", async () => {
    const path = join(dir, "missing.jsonl")
    const error = await Effect.runPromise(Effect.flip(Stream.runDrain(readRecords(path))))
    expect(error).toMatchObject({ reason: "Unreadable", path })
    const merged = await Effect.runPromise(Effect.flip(Stream.runDrain(mergeRecords([join(dir, "a"), path]))))
    expect(merged.reason).toBe("Unreadable")
  })

  it("inner-joins three files, later files overriding fields", async () => {
    const paths = [join(dir, "1.jsonl"), join(dir, "2.jsonl"), join(dir, "3.jsonl")]
    await write(
      paths[0]!,
      [1, 2, 3, 4, 5].map((n) => ({ siret: siret(n), name: `n${n}`, city: "Paris" }))
    )
    await write(
      paths[1]!,
      [2, 3, 5, 6].map((n) => ({ siret: siret(n), city: "Lyon", web: `w${n}` }))
    )
    await write(
      paths[2]!,
      [0, 3, 5].map((n) => ({ siret: siret(n), email: `e${n}` }))
    )
    expect(await collect(mergeRecords(paths))).toEqual([
      { siret: siret(3), name: "n3", city: "Lyon", web: "w3", email: "e3" },
      { siret: siret(5), name: "n5", city: "Lyon", web: "w5", email: "e5" }
    ])
  })

  it("pairs duplicate keys by occurrence and drops unpaired ones", async () => {
    const a = join(dir, "a.jsonl")
    const b = join(dir, "b.jsonl")
    await writeFile(
      a,
      lines([
        { siret: "1", a: 1 },
        { siret: "1", a: 2 },
        { siret: "1", a: 3 },
        { siret: "2", a: 4 }
      ])
    )
    await writeFile(
      b,
      lines([
        { siret: "1", b: 1 },
        { siret: "1", b: 2 },
        { siret: "2", b: 3 },
        { siret: "2", b: 4 }
      ])
    )
    expect(await collect(mergeRecords([a, b]))).toEqual([
      { siret: "1", a: 1, b: 1 },
      { siret: "1", a: 2, b: 2 },
      { siret: "2", a: 4, b: 3 }
    ])
  })

  it("joins key groups that span read chunks", async () => {
    const a = join(dir, "a.jsonl")
    const b = join(dir, "b.jsonl")
    const pad = "x".repeat(1000)
    const left = Array.from({ length: 600 }, (_, i) => ({ siret: siret(Math.floor(i / 3)), i, pad }))
    const right = Array.from({ length: 300 }, (_, i) => ({ siret: siret(i), j: i }))
    await write(a, left)
    await write(b, right)
    const merged = await collect(mergeRecords([a, b]))
    expect(merged.length).toBe(200)
    expect(merged.map((record) => record.i)).toEqual(Array.from({ length: 200 }, (_, k) => k * 3))
  })

  it("fails with NotSorted and the line when a merged file is out of order", async () => {
    const a = join(dir, "a.jsonl")
    const b = join(dir, "b.jsonl")
    await writeFile(a, lines([{ siret: "1" }, { siret: "2" }, { siret: "3" }]))
    await writeFile(b, lines([{ siret: "1" }, { siret: "3" }, { siret: "2" }]))
    const error = await Effect.runPromise(Effect.flip(Stream.runDrain(mergeRecords([a, b]))))
    expect(error).toMatchObject({ _tag: "RecordFileError", reason: "NotSorted", path: b, line: 3 })
    expect(error.message).toBe(`record file ${b}:3 is not sorted by key`)
  })

  it("handles empty inputs and empty files", async () => {
    const empty = join(dir, "empty.jsonl")
    const full = join(dir, "full.jsonl")
    const contract = await write(empty, [])
    await write(full, [{ siret: "1" }])
    expect(contract).toEqual({
      rows: 0,
      bytes: 0,
      sha256: new Bun.CryptoHasher("sha256").update("").digest("hex"),
      fields: []
    })
    expect(await collect(readRecords(empty))).toEqual([])
    expect(await collect(mergeRecords([full, empty]))).toEqual([])
    expect(await collect(mergeRecords([empty, full]))).toEqual([])
    expect(await collect(mergeRecords([]))).toEqual([])
    expect(await collect(mergeRecords([full]))).toEqual([{ siret: "1" }])
  })
})
