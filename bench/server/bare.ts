/**
 * The reference of bench:server's accept phase: a bare Bun.serve that parses the JSON body and
 * answers 202, nothing else (no validation, no history, no queue). What the loopback, the client
 * and Bun's HTTP stack cost on this machine, so Filon's figures read as a ratio.
 */
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: async (request) => {
    await request.json()
    return Response.json({ run_id: crypto.randomUUID(), status: "queued" }, { status: 202 })
  }
})
console.error(`listening on http://127.0.0.1:${server.port}`)
