/**
 * Scan worker: scans the byte range of a stock file it is sent (the second half, while the main
 * thread scans the first) and posts back what it kept, packed, its buffers transferred. A failure is
 * posted as its message: the main thread rejects with it and ends this worker.
 */
import { departmentsOfRegion } from "../../normalize/rules/geo.ts"
import { compileFilter } from "../filters.ts"
import { linePacker } from "../packedLines.ts"
import { scanEstablishmentLines, scanLegalUnitLines } from "../scan.ts"
import type { EstablishmentsRequest, LegalUnitsRequest, ScanReply, ScanRequest } from "./protocol.ts"

declare const self: Worker

const establishments = async (request: EstablishmentsRequest) => {
  const { file, header, range, filter } = request
  const stats = { lines: 0, bytes: 0 }
  const packer = linePacker()
  const rejects = await scanEstablishmentLines(
    {
      file,
      format: "csv",
      header,
      range,
      stats,
      filter: filter && compileFilter(filter.filters, filter.columnIndex, departmentsOfRegion)
    },
    packer.add
  )
  const { packed, transfer } = packer.pack()
  return { reply: { kind: "establishments", stats, kept: packed, rejects } satisfies ScanReply, transfer }
}

const legalUnits = async (request: LegalUnitsRequest) => {
  const { file, header, range } = request
  const sirens = new Set(request.otherSirens)
  for (const siren of request.numericSirens) sirens.add(String(siren).padStart(9, "0"))
  const stats = { lines: 0, bytes: 0 }
  const packer = linePacker()
  const rejects = await scanLegalUnitLines({ file, format: "csv", header, range, stats, sirens }, packer.add)
  const { packed, transfer } = packer.pack()
  return { reply: { kind: "legal_units", stats, units: packed, rejects: [...rejects] } satisfies ScanReply, transfer }
}

self.onmessage = async (event: MessageEvent<ScanRequest>) => {
  try {
    const request = event.data
    const { reply, transfer } =
      request.kind === "establishments" ? await establishments(request) : await legalUnits(request)
    self.postMessage(reply, transfer)
  } catch (error) {
    self.postMessage({
      kind: "failed",
      error: error instanceof Error ? error.message : String(error)
    } satisfies ScanReply)
  }
}
