/**
 * Runs one benchmark child: wall time from spawn to exit, and its peak resident memory read from
 * `/proc/<pid>/status` (VmHWM, the kernel's high-water mark) every ~50 ms while it runs, falling back
 * on the rusage of the exited child when /proc is not there.
 */

export interface ChildRun {
  readonly seconds: number
  readonly peakRssMb: number
  readonly stdout: string
  readonly stderr: string
  readonly code: number
}

const vmHwmKb = async (pid: number): Promise<number | undefined> => {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text()
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

export const runChild = async (
  command: string[],
  options: { readonly cwd: string; readonly env?: Record<string, string | undefined> }
): Promise<ChildRun> => {
  const started = performance.now()
  const child = Bun.spawn(command, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe"
  })
  let peakKb = 0
  let running = true
  const poll = (async () => {
    while (running) {
      const kb = await vmHwmKb(child.pid)
      if (kb !== undefined) peakKb = Math.max(peakKb, kb)
      await Bun.sleep(50)
    }
  })()
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited
  ])
  const seconds = (performance.now() - started) / 1000
  running = false
  await poll
  const rusageMb = Number(child.resourceUsage()?.maxRSS ?? 0) / 1024 / 1024
  return { seconds, peakRssMb: peakKb > 0 ? peakKb / 1024 : rusageMb, stdout, stderr, code }
}
