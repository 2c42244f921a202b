/** The bundle's entry point (`bun run build`): the command line, run on import. */
import { runFromArgv } from "./main.ts"

await runFromArgv()
