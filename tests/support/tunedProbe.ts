/** Runs the `filon` launcher's re-execution, then prints what the process runs with (jitTuning test). */
import { JSC_TUNING, reexecTuned } from "../../cli/jitTuning.ts"

// The options as such, whatever `bun run build` recorded.
reexecTuned(JSC_TUNING)
console.log(
  JSON.stringify({
    pid: process.pid,
    threshold: process.env.BUN_JSC_thresholdForFTLOptimizeAfterWarmUp ?? null,
    marker: process.env.FILON_JSC_TUNED ?? null,
    args: process.argv.slice(2),
    execArgv: process.execArgv
  })
)
