/**
 * GET /runs/:id/events: the run's event log as server-sent events, in order, each with its
 * sequence id; Last-Event-ID resumes after the last event a client saw.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import type { RunningServer } from "../../server/main.ts"
import { call, makeDataDir, removeDir, slowJob, startTestServer, TOKEN, waitForEnd } from "./support.ts"

interface SseEvent {
  readonly id: number
  readonly event: string
  readonly data: Record<string, unknown>
}

/** Reads a whole event stream (the server closes it when the run is over). */
const readEvents = async (response: Response): Promise<SseEvent[]> => {
  const text = await response.text()
  return text
    .split("\n\n")
    .filter((block) => block.includes("data: "))
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .filter((line) => line.startsWith(`${name}: `))
          .map((line) => line.slice(name.length + 2))
          .join("\n")
      return { id: Number(field("id")), event: field("event"), data: JSON.parse(field("data")) }
    })
}

let dir: string
let server: RunningServer
beforeAll(async () => {
  dir = makeDataDir({ slow: slowJob(150) })
  server = await startTestServer(dir, { tokens: [TOKEN] })
})
afterAll(async () => {
  await server.stop()
  removeDir(dir)
})

test("a client following a running run gets every step event in order, then the stream ends", async () => {
  const { run_id } = (await (await call(server, "/runs", { token: TOKEN, json: { job: "slow" } })).json()) as {
    run_id: string
  }
  const stream = await call(server, `/runs/${run_id}/events`, { token: TOKEN })
  expect(stream.status).toBe(200)
  expect(stream.headers.get("content-type")).toContain("text/event-stream")
  const events = await readEvents(stream)
  const view = await waitForEnd(server, run_id, TOKEN)
  expect(view.status).toBe("succeeded")

  // Ids are the event log's sequence: 1, 2, 3... with nothing missing or repeated.
  expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1))
  expect(events.every((event) => event.data.seq === event.id && event.data.type === event.event)).toBe(true)
  expect(events[0]!.event).toBe("run.start")
  expect(events.at(-1)!.event).toBe("run.end")
  // Each step starts, then ends, before the steps that follow it in the plan (test.upper and
  // test.score share a batch, so only their order relative to the source and sink is fixed).
  const steps = (view.steps as Array<{ name: string }>).map((step) => step.name)
  const position = (type: string, step: string) =>
    events.findIndex((event) => event.event === type && event.data.step === step)
  for (const step of steps) {
    expect(position("step.start", step)).toBeGreaterThan(0)
    expect(position("step.end", step)).toBeGreaterThan(position("step.start", step))
  }
  expect(position("step.end", "test.source")).toBeLessThan(position("step.start", "test.upper"))
  expect(position("step.end", "test.score")).toBeLessThan(position("step.start", "test.export"))

  // The same events are what the run's log file holds.
  const log = (await Bun.file(`${view.out_dir}/logs/${run_id}.jsonl`).text()).trim().split("\n")
  expect(events.map((event) => event.data)).toEqual(log.map((line) => JSON.parse(line)))

  // Reconnecting with Last-Event-ID gives exactly the events after it.
  const resumed = await readEvents(
    await call(server, `/runs/${run_id}/events`, { token: TOKEN, headers: { "last-event-id": "3" } })
  )
  expect(resumed.map((event) => event.id)).toEqual(events.slice(3).map((event) => event.id))

  expect(
    (await call(server, `/runs/${run_id}/events`, { token: TOKEN, headers: { "last-event-id": "x" } })).status
  ).toBe(400)
  expect((await call(server, "/runs/missing/events", { token: TOKEN })).status).toBe(404)
})
