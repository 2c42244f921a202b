#!/usr/bin/env bun
/**
 * The `filon` command line: decodes argv, calls the same core as the server, prints, exits with
 * the code of CONTRACTS.md.
 */
import * as Effect from "effect/Effect"
import { closestMatch } from "../core/Suggest.ts"
import { ExitCode } from "../core/Summary.ts"
import { describeOptions } from "./args.ts"
import { downloadCommand, downloadOptions } from "./commands/download.ts"
import { evalCommand, evalOptions } from "./commands/eval.ts"
import { pluginsCommand, profilesCommand } from "./commands/info.ts"
import { batchCommand, batchOptions, createJobCommand, createJobOptions } from "./commands/jobs.ts"
import { monitoringCommand, monitoringOptions } from "./commands/monitoring.ts"
import { resumeCommand, resumeOptions, runProfileCommand, runProfileOptions, runStepOptions } from "./commands/run.ts"
import { serveCommand, serveOptions } from "./commands/serve.ts"
import { type CliIo, processIo } from "./io.ts"

interface Command {
  readonly summary: string
  readonly usage: string
  readonly run: (io: CliIo, argv: ReadonlyArray<string>) => Effect.Effect<number>
}

const commands: Record<string, Command> = {
  "run-profile": {
    summary: "run a profile on a job",
    usage: `filon run-profile --job FILE [--input PATH]... [options]\n${describeOptions(runProfileOptions)}`,
    run: (io, argv) => runProfileCommand(io, argv)
  },
  "run-step": {
    summary: "run one step of a profile, reading its input from the run folder",
    usage: `filon run-step --job FILE --step ID [options]\n${describeOptions(runStepOptions)}`,
    run: (io, argv) => runProfileCommand(io, argv, "run-step")
  },
  resume: {
    summary: "re-run the steps of a run folder whose outputs are missing, truncated or altered",
    usage: `filon resume --out DIR [options]\n${describeOptions(resumeOptions)}`,
    run: resumeCommand
  },
  batch: {
    summary: "one run per NAF code from a job template",
    usage: `filon batch --naf X [--naf Y]... --template FILE --output-dir DIR [options]\n${describeOptions(batchOptions)}`,
    run: batchCommand
  },
  "create-job": {
    summary: "write a job file for NAF codes",
    usage: `filon create-job --naf X [--template FILE] [options]\n${describeOptions(createJobOptions)}`,
    run: createJobCommand
  },
  profiles: {
    summary: "list profiles, or show one profile's plan",
    usage: "filon profiles [NAME|FILE] [--json] [--plugin SPEC]... [--job FILE] [--config FILE]",
    run: profilesCommand
  },
  plugins: {
    summary: "list loaded plugins and their steps",
    usage: "filon plugins [--json] [--plugin SPEC]... [--job FILE] [--config FILE]",
    run: pluginsCommand
  },
  download: {
    summary: "download the monthly SIRENE stock files (resumable, checksummed)",
    usage: `filon download [--month YYYY-MM] [--dest DIR] [options]\n${describeOptions(downloadOptions)}`,
    run: (io, argv) => downloadCommand(io, argv)
  },
  serve: {
    summary: "the HTTP trigger server: POST /runs, events, artifacts, /metrics",
    usage: `filon serve [--port N] [--host H] [--data-dir D] [options]\n${describeOptions(serveOptions)}`,
    run: serveCommand
  },
  monitoring: {
    summary: "generate Prometheus alert rules and a Grafana dashboard from jobs' budgets and KPI targets",
    usage: `filon monitoring --job FILE [--job FILE]... [--out DIR] [--check]\n${describeOptions(monitoringOptions)}`,
    run: monitoringCommand
  },
  eval: {
    summary: "score contact and identity extraction on a labelled corpus and the fixture web",
    usage: `filon eval [--corpus DIR]... [--fixture] [--json]\n${describeOptions(evalOptions)}`,
    run: evalCommand
  }
}

const help = () =>
  [
    "filon: French company datasets from SIRENE and the public web",
    "",
    "usage: filon <command> [options]    (filon <command> --help for its options)",
    "",
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(14)} ${command.summary}`),
    "",
    "exit codes: 0 success, 4 KPIs not met, 1 a step failed, 2 bad usage or config, 3 budget exceeded, 130 interrupted"
  ].join("\n")

export const main = (io: CliIo, argv: ReadonlyArray<string>): Effect.Effect<number> => {
  const [name, ...rest] = argv
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(help())
    return Effect.succeed(name === undefined ? ExitCode.usage : ExitCode.ok)
  }
  const command = commands[name]
  if (!command) {
    const suggestion = closestMatch(name, Object.keys(commands))
    io.err(`error: unknown command ${name}${suggestion ? ` (did you mean ${suggestion}?)` : ""}\n\n${help()}`)
    return Effect.succeed(ExitCode.usage)
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.usage)
    return Effect.succeed(ExitCode.ok)
  }
  return command.run(io, rest)
}

/** Runs the command of this process's argv and sets its exit code. */
export const runFromArgv = async () => {
  const code = await Effect.runPromise(main(processIo(), process.argv.slice(2)))
  // Let stdout drain before leaving (large --json summaries on a pipe).
  process.exitCode = code
}

// No top-level await in the modules the bundle takes in: it is CommonJS, for its bytecode (decision 023).
if (import.meta.main) void runFromArgv()
