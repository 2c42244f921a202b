/** Runs the `filon` launcher's re-execution, then prints what the process runs with (jitTuning test). */
import { reexecTuned } from "../../cli/jitTuning.ts"

reexecTuned()
console.log(
  JSON.stringify({
    pid: process.pid,
    threshold: process.env.BUN_JSC_thresholdForFTLOptimizeAfterWarmUp ?? null,
    marker: process.env.FILON_JSC_TUNED ?? null,
    args: process.argv.slice(2),
    execArgv: process.execArgv
  })
)
