/** Worker thread of generate.ts: builds the chunks it is sent and returns their bytes (transferred, not copied). */
import { type ChunkSpec, generateChunk } from "./stock.ts"

declare const self: Worker

self.onmessage = async (event: MessageEvent<ChunkSpec>) => {
  try {
    const result = await generateChunk(event.data)
    const buffers = [...new Set([...result.etab, ...result.ul].map((bytes) => bytes.buffer as ArrayBuffer))]
    self.postMessage({ ok: true, result }, buffers)
  } catch (error) {
    self.postMessage({ ok: false, index: event.data.index, error: String(error) })
  }
}
