/** Prints "N passed, N failed[, N skipped]" from a bun JUnit report (every <testcase> counted once). */
const [file] = process.argv.slice(2)
if (!file) throw new Error("usage: bun .ci/count-junit.ts REPORT.xml")
const xml = await Bun.file(file).text()
let passed = 0
let failed = 0
let skipped = 0
for (const match of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
  const body = match[2] ?? ""
  if (/<(failure|error)\b/.test(body)) failed++
  else if (/<skipped\b/.test(body)) skipped++
  else passed++
}
if (passed + failed + skipped === 0) failed = 1 // a run that tested nothing has not passed
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
